"""SPARQL 1.1 Protocol: request parsing, result formats, and evaluation under a time limit."""
