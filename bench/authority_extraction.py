"""Precision and recall of authority extraction against tests/fixtures/authorities_gold.json.

Usage: python bench/authority_extraction.py [--practices-only]
"""

from __future__ import annotations

import sys

from ingest.evaluation import AuthorityScore, load_gold, predicted_authorities, score_document
from ingest.extract.practices import PracticeExtractor
from ingest.manifest import Manifest
from ingest.readers import read
from kg.settings import PROJECT_ROOT


def main(include_mentions: bool = True) -> AuthorityScore:
    gold = load_gold(PROJECT_ROOT / "tests/fixtures/authorities_gold.json")
    corpus = PROJECT_ROOT / "corpus"
    manifest = Manifest.load(corpus / "manifest.json")
    extractor = PracticeExtractor(PROJECT_ROOT / "ontology")
    score = AuthorityScore()
    complete = total = 0
    for rel, entries in sorted(gold.items()):
        path = corpus / rel
        x = extractor.extract(read(path, manifest.metadata(path)))
        score_document(entries, predicted_authorities(x, include_mentions), score)
        total += len(x.practices)
        complete += sum(1 for p in x.practices if p.authorities and p.axes and p.passages)
    print(f"authorities: precision {score.precision:.3f}  recall {score.recall:.3f}  (tp {score.true_positives})")
    print(f"  false positives: {score.false_positives}")
    print(f"  false negatives: {score.false_negatives}")
    print(f"practices with an authority, an axis and evidence: {complete}/{total}")
    return score


if __name__ == "__main__":
    main(include_mentions="--practices-only" not in sys.argv)
