"""Memory across retriever rebuilds: what a serving process keeps each time the index changes.

    .venv/bin/python bench/rebuild_memory.py               # 10 rebuilds, freed heap returned
    .venv/bin/python bench/rebuild_memory.py --no-trim     # the same without malloc_trim

Needs an index (`rag ingest`). Each round builds a new snapshot retriever, answers two
questions with it, drops it and (unless --no-trim) calls rag.pipeline.snapshot.return_freed_memory, as
a serving process does after a swap. Prints, per round, the process's RSS and the memory
Python itself has allocated since the start (tracemalloc): RSS growing while the latter stays
flat is heap the C library keeps, not objects still referenced.
"""
from __future__ import annotations

import argparse
import gc
import json
import tracemalloc
from pathlib import Path


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--no-trim", action="store_true", help="do not return freed heap to the system")
    args = parser.parse_args()

    from rag.answering.chain import answer_question
    from rag.core.config import get_settings
    from rag.pipeline.snapshot import build_retriever, return_freed_memory

    settings = get_settings()

    def one_round() -> None:
        retriever = build_retriever(settings)
        answer_question("阿坝州成果完成人的收益比例是多少？", retriever)
        answer_question("What funding is there for universities in Jiangxi?", retriever)
        del retriever
        if args.no_trim:
            gc.collect()
        else:
            return_freed_memory()

    one_round()  # models, dictionary and caches loaded once, as in a process already serving
    tracemalloc.start()
    rounds = []
    for i in range(args.rounds):
        one_round()
        rounds.append({"round": i + 1, "rss_mb": round(rss_mb()),
                       "python_mb": round(tracemalloc.get_traced_memory()[0] / 2**20, 1)})
        print(json.dumps(rounds[-1]), flush=True)
    print(json.dumps({"trim": not args.no_trim, "rss_mb_first": rounds[0]["rss_mb"],
                      "rss_mb_last": rounds[-1]["rss_mb"], "python_mb_last": rounds[-1]["python_mb"]}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
