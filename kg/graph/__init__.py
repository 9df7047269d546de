"""From typed extractions to RDF: one named graph per source document."""
