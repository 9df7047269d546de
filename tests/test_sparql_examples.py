"""Every example query of docs/sparql-examples.md runs and returns rows: the docs cannot drift."""

import re

import pytest

from kg.settings import PROJECT_ROOT

pytestmark = pytest.mark.integration

DOC = (PROJECT_ROOT / "docs/sparql-examples.md").read_text(encoding="utf-8")
PREFIXES = re.search(r"```\n(PREFIX[\s\S]*?)```", DOC).group(1)
EXAMPLES = re.findall(r"## (\d+)\. ([^\n]+)\n\n```sparql\n([\s\S]*?)```", DOC)


def test_at_least_eight_examples():
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize(("number", "title", "query"), EXAMPLES, ids=[f"{n}-{t[:30]}" for n, t, _ in EXAMPLES])
def test_example_returns_rows(store_with_corpus, number, title, query):
    rows = store_with_corpus.store.select(PREFIXES + query)
    assert rows, f"example {number} ({title}) returned no rows"
