"""HTTP routes: thin adapters from requests to the service functions (no ranking, SPARQL or parsing here)."""
