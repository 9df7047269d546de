"""Knowledge graph of local public management good practices (graph model, store, SPARQL)."""

__version__ = "0.1.0"
PIPELINE_VERSION = f"bp-kg/{__version__}"
