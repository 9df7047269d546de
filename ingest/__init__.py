"""Ingestion: readers, segmentation, extraction, linking, and the pipeline that composes them."""
