"""Search and answers over the graph: embeddings, indexes, retrieval, the HTTP API and web pages."""
