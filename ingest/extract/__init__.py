"""Extractors: pure functions from text to mentions (actors, axes, tools, outcomes)."""
