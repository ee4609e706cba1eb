"""Answer speed of the default generator: process start to first answer, and the median and
p95 time a question after warm-up. Run it after `rag ingest`:

    .venv/bin/python bench/answer_speed.py [--rounds 3] [--set eval/qa.jsonl]

Process start to first answer is measured by a fresh `rag ask` subprocess (interpreter start,
imports, model load, index load and one answer), so it is what a user of the CLI waits.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_MEDIAN_MS, TARGET_FIRST_S = 300, 15


def first_answer_seconds(question: str) -> float:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "rag", "ask", question, "--json"], cwd=ROOT,
                         capture_output=True, text=True, env=dict(os.environ, HF_HUB_OFFLINE="1"))
    elapsed = time.perf_counter() - started
    if out.returncode != 0:
        sys.exit(f"rag ask failed: {out.stderr.strip()[-500:]}")
    json.loads(out.stdout)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", default=str(ROOT / "eval" / "qa.jsonl"))
    parser.add_argument("--rounds", type=int, default=3, help="passes over the set after warm-up")
    args = parser.parse_args()

    first = first_answer_seconds("what share of income goes to the inventor?")

    from rag.apps.evaluate import load_set
    from rag.core.config import get_settings
    from rag.pipeline.asking import answer

    settings = get_settings()
    questions = [item["question"] for item in load_set(Path(args.set))]
    for q in questions[:5]:  # warm-up: models, jieba, BM25 index
        answer(q, settings=settings)
    times = []
    for _ in range(args.rounds):
        for q in questions:
            started = time.perf_counter()
            answer(q, settings=settings)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    result = {
        "questions": len(questions), "answers_timed": len(times), "cpus": os.cpu_count(),
        "first_answer_s": round(first, 2), "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1), "max_ms": round(times[-1], 1),
        "generator": settings.generator, "embed_model": settings.embed_model,
    }
    result["meets_targets"] = result["median_ms"] < TARGET_MEDIAN_MS and first < TARGET_FIRST_S
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0 if result["meets_targets"] else 1


if __name__ == "__main__":
    sys.exit(main())
