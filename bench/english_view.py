"""Does the English view of every clause find the clause an English question asks about?

For the English answerable questions of the given sets (those with an `evidence` passage),
hit@5 and hit@10 of the gold evidence with the retriever's rankings fused three ways: BM25 and
vectors only (the query-side bridge alone), the English view alone, and all three (what
`rag ask` does when the bridge leaves a word of the question without a Chinese term). Nothing
is written.

    RAG_DATA_DIR=/tmp/lib .venv/bin/python bench/english_view.py \
        --set ../shared/eval-blind/questions.jsonl ../shared/eval-pool
(index the library first: `RAG_DATA_DIR=/tmp/lib rag ingest corpus ../shared/regulations ../shared/extra-docs`)
"""
from __future__ import annotations

import argparse
import re
import time
from collections import defaultdict
from pathlib import Path

import numpy as np


def main() -> None:
    from rag.apps.evaluate import UNANSWERABLE, load_sets
    from rag.core.config import get_settings
    from rag.pipeline.asking import question_regions
    from rag.pipeline.snapshot import make_retriever
    from rag.retrieval import hybrid

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", nargs="+", required=True, help="question sets (files or folders)")
    parser.add_argument("--weights", nargs="+", type=float, default=[hybrid.ENGLISH_WEIGHT],
                        help="weights of the English view's ranking in the fusion to compare")
    args = parser.parse_args()
    started = time.perf_counter()
    retriever = make_retriever(get_settings())
    print(f"retriever over {len(retriever.nodes)} clauses in {time.perf_counter() - started:.1f} s")
    default = hybrid.ENGLISH_WEIGHT
    items = [i for s in args.set for i in load_sets(Path(s))
             if i["lang"] == "en" and i["type"] != UNANSWERABLE and i.get("evidence")]
    plain = lambda s: re.sub(r"\s+", "", s)
    found: dict[str, list[int | None]] = defaultdict(list)
    for item in items:
        regions = question_regions(item["question"], retriever).regions
        bm25, vector = retriever.rankings(item["question"], regions)[:2]
        keep = ~retriever.doc_of.among(retriever.other_versions(item["question"]))  # as rankings() scopes
        if regions:
            keep &= retriever.region_of.among(retriever.scope(regions))
        english = retriever.english_ranking(item["question"], keep)
        evidence = plain(item["evidence"])[:30]
        tried = [("bridge only", [bm25, vector], None), ("english view", [english], None)]
        tried += [(f"fused, weight {w:g}", [bm25, vector, english], w) for w in args.weights]
        for name, rankings, weight in tried:
            hybrid.ENGLISH_WEIGHT = weight if weight is not None else default
            ids = [r.node.node_id for r in retriever.fuse(rankings, 10)]
            found[name].append(next((k for k, i in enumerate(ids) if evidence in plain(retriever.by_id[i].text)), None))
    for name, ranks in found.items():
        print(f"{name:18} hit@5 {np.mean([r is not None and r < 5 for r in ranks]):.3f}  "
              f"hit@10 {np.mean([r is not None for r in ranks]):.3f}  (n={len(ranks)})")


if __name__ == "__main__":
    main()
