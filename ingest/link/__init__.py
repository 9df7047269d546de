"""Links across documents, computed over the whole store after ingestion (own named graph)."""
