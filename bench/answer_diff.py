"""Which answers changed between two runs of `rag ask --batch --json` over the same questions.

    rag ask --batch QUESTIONS.jsonl --json > before.jsonl   (at one commit)
    rag ask --batch QUESTIONS.jsonl --json > after.jsonl    (at another)
    python bench/answer_diff.py before.jsonl after.jsonl

Latency is ignored; every other field of each record is compared. Prints the changed
questions with both answers and exits 1 when any answer differs.
"""
from __future__ import annotations

import argparse
import json
import sys

IGNORED = ("latency_ms",)


def records(path: str) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [{k: v for k, v in json.loads(line).items() if k not in IGNORED} for line in fh if line.strip()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    args = parser.parse_args()
    before, after = records(args.before), records(args.after)
    if len(before) != len(after):
        print(f"different lengths: {len(before)} vs {len(after)}", file=sys.stderr)
        return 2
    changed = [(b, a) for b, a in zip(before, after) if b != a]
    for b, a in changed:
        print(f"## {b.get('question')}\n- before: {b.get('answer')!r}\n- after:  {a.get('answer')!r}\n")
    print(f"{len(changed)} of {len(before)} answers differ", file=sys.stderr)
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
