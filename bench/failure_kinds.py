"""Where the answerable questions a chain fails are lost: retrieval, sentence choice or reading.

Asks every answerable question of a set (those with a gold `evidence`) with the chain answering
whenever it finds a sentence (the committed ranker; the answerability model left out), judges
it as `rag eval` does, and sorts each failure: the gold evidence is in a cited clause (read
wrongly), in the top 5 or 10 of the search but not cited (another sentence chosen), or not in
the top 10 (not retrieved). Prints the counts as one JSON line, then one line a failure (ids
and kinds only).

    RAG_DATA_DIR=/tmp/lib .venv/bin/python bench/failure_kinds.py --set ../shared/eval-pool
"""
from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path


def main() -> None:
    from rag.answering.answerability import AlwaysAnswer, Models
    from rag.apps.evaluate import UNANSWERABLE, judge, load_sets
    from rag.core.config import get_settings
    from rag.pipeline.asking import answer, question_regions
    from rag.pipeline.snapshot import make_retriever
    from rag.reading.sentence_ranker import fitted_ranker

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", required=True, help="a question set (file or folder)")
    args = parser.parse_args()
    settings = get_settings()
    retriever = make_retriever(settings)
    models = Models(fitted_ranker(), AlwaysAnswer())
    plain = lambda s: re.sub(r"\s+", "", s)
    counts: Counter = Counter()
    lines = []
    for item in load_sets(Path(args.set)):
        if item["type"] == UNANSWERABLE or not item.get("evidence"):
            continue
        record = answer(item["question"], settings=settings, models=models).as_dict()
        if judge(item, record)[0]:
            counts["passed"] += 1
            continue
        evidence = plain(item["evidence"])[:40]
        if any(evidence in plain(c["text"]) for c in record["citations"]):
            kind = "cited, read wrongly"
        else:
            regions = question_regions(item["question"], retriever).regions
            found = [r.node for r in retriever.search(item["question"], regions, top_k=10)]
            rank = next((k for k, node in enumerate(found) if evidence in plain(node.text)), None)
            kind = "not retrieved" if rank is None else f"retrieved (top {5 if rank < 5 else 10}), not chosen"
        counts[kind] += 1
        lines.append(f"{item['id']}\t{item['type']}\t{item['lang']}\t{kind}")
    print(json.dumps(dict(counts), ensure_ascii=False))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
