"""Evaluation over a question-answer set (eval/qa.jsonl): retrieval and answer metrics."""
from __future__ import annotations

import json
from pathlib import Path

from rag.errors import RagError


def load_set(path: Path) -> list[dict]:
    items = []
    with Path(path).open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise RagError(f"{path}:{n}: not valid JSON ({exc.msg})") from exc
    return items


def is_gold(node, item: dict) -> bool:
    return node.metadata.get("doc_id") == item["source_doc"] and item["clause"] in node.text


def retrieval_metrics(retriever, items: list[dict], mode: str = "hybrid", k: int = 5) -> dict:
    """hit@1, hit@k and MRR of the gold clause, with the pipeline's own region matching."""
    from rag.pipeline import question_regions

    hit1 = hitk = rr = 0.0
    for item in items:
        regions = question_regions(item["question"], retriever).regions
        results = retriever.search(item["question"], regions, top_k=k, mode=mode)
        ranks = [i for i, r in enumerate(results) if is_gold(r.node, item)]
        if ranks:
            hit1 += ranks[0] == 0
            hitk += 1
            rr += 1.0 / (ranks[0] + 1)
    n = max(len(items), 1)
    return {"hit@1": hit1 / n, f"hit@{k}": hitk / n, "mrr": rr / n, "n": len(items)}
