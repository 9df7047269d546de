"""The web interface (French, server-rendered): search, entity pages, SPARQL editor, jury, dashboard."""
