"""Would an English view of every clause find the clause an English question asks about?

A prototype of the English view (each clause's jieba words through CC-CEDICT, up to three senses
each, official names through the department list, Porter-stemmed), searched with its own BM25
and fused with today's rankings (BM25 and vectors, weighted RRF). Prints hit@5 and hit@10 of the
gold evidence for the English answerable questions of the given sets (those with an `evidence`),
for today's retrieval, the view alone and the two fused. Nothing is written.

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
    import bm25s
    from nltk.stem import PorterStemmer

    from rag.apps.evaluate import UNANSWERABLE, load_sets
    from rag.core.config import get_settings
    from rag.core.vocabulary import ENGLISH_WORD
    from rag.core.words import segmenter
    from rag.ingest.glossary import english_department
    from rag.pipeline.asking import question_regions
    from rag.pipeline.snapshot import make_retriever
    from rag.query.english import ENGLISH_STOPWORDS, dictionary_senses
    from rag.retrieval.hybrid import RRF_K, VECTOR_WEIGHT

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", nargs="+", required=True, help="question sets (files or folders)")
    args = parser.parse_args()
    stemmer, jieba = PorterStemmer(), segmenter()
    retriever = make_retriever(get_settings())
    started = time.perf_counter()
    senses: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for sense, heads in dictionary_senses().items():
        for head, place in heads.items():
            senses[head].append((place, sense))

    def stems(text: str) -> list[str]:
        return [stemmer.stem(w) for w in ENGLISH_WORD.findall(text.lower()) if w not in ENGLISH_STOPWORDS]

    def view(text: str) -> list[str]:
        words = []
        for token in jieba.lcut(text):
            parts = [token] if token in senses else [t for t in jieba.lcut_for_search(token) if t in senses]
            words += [s for part in parts for _, s in sorted(senses[part])[:3]]
            if token.endswith(("厅", "局", "委", "办")):
                words.append(english_department(token, retriever.departments))
        return stems(" ".join(words))

    views = [view(n.text) for n in retriever.nodes]
    print(f"view of {len(views)} clauses in {time.perf_counter() - started:.1f} s, "
          f"{sum(map(len, views)) / max(1, len(views)):.0f} words a clause")
    bm25 = bm25s.BM25()
    bm25.index(views, show_progress=False)
    known = {w for v in views for w in v}
    items = [i for s in args.set for i in load_sets(Path(s))
             if i["lang"] == "en" and i["type"] != UNANSWERABLE and i.get("evidence")]
    plain = lambda s: re.sub(r"\s+", "", s)
    found: dict[str, list[int | None]] = defaultdict(list)
    for item in items:
        regions = question_regions(item["question"], retriever).regions
        keep = np.ones(len(retriever.nodes), bool)
        if regions:
            keep &= np.isin(retriever.region_of, retriever.scope(regions))
        rankings = retriever.rankings(item["question"], regions)
        tokens = [w for w in stems(item["question"]) if w in known]
        scores = np.where(keep, bm25.get_scores(tokens), 0.0) if tokens else np.zeros(len(retriever.nodes))
        english = [(retriever.nodes[i].node_id, float(scores[i])) for i in np.argsort(-scores)[:40] if scores[i] > 0]
        fused: dict[str, float] = {}
        for weight, ranking in zip((1.0, VECTOR_WEIGHT, 1.0), rankings + [english]):
            for rank, (node_id, _) in enumerate(ranking):
                fused[node_id] = fused.get(node_id, 0.0) + weight / (RRF_K + rank + 1)
        evidence = plain(item["evidence"])[:30]
        for name, ids in (("today", [r.node.node_id for r in retriever.fuse(rankings, 10)]),
                          ("english view", [i for i, _ in english[:10]]),
                          ("fused", [i for i, _ in sorted(fused.items(), key=lambda kv: -kv[1])[:10]])):
            found[name].append(next((k for k, i in enumerate(ids) if evidence in plain(retriever.by_id[i].text)), None))
    for name, ranks in found.items():
        print(f"{name:13} hit@5 {np.mean([r is not None and r < 5 for r in ranks]):.3f}  "
              f"hit@10 {np.mean([r is not None for r in ranks]):.3f}  (n={len(ranks)})")


if __name__ == "__main__":
    main()
