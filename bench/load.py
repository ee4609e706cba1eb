"""Load test of the running app's /ask endpoint through gradio_client.

    .venv/bin/python app.py &                       # the app on 127.0.0.1:7860
    .venv/bin/python bench/load.py --clients 16 --seconds 60
    .venv/bin/python bench/load.py --clients 60 --seconds 30     # overload: expect "busy", never a 5xx

Each client thread asks questions from eval/qa.jsonl in a loop. Reported: answers, errors by
kind (busy = the queue was full and said so; other = anything else), throughput, p50/p95/max.
Exit 1 when any error other than "busy" occurred.
"""
from __future__ import annotations

import argparse
import json
import statistics
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()

    from gradio_client import Client

    questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "qa.jsonl").open(encoding="utf-8")]
    latencies: list[float] = []
    errors: Counter = Counter()
    examples: dict[str, str] = {}
    lock = threading.Lock()
    stop = time.monotonic() + args.seconds

    def worker(i: int) -> None:
        client = Client(args.url, verbose=False)
        n = i
        while time.monotonic() < stop:
            question = questions[n % len(questions)]
            n += args.clients
            started = time.perf_counter()
            try:
                result = client.predict(question, "", api_name="/ask")
                kind = "busy" if "busy" in str(result.get("error", "")).lower() else (
                    "error" if "error" in result else None)
            except Exception as exc:  # the client raises on queue-full and on server errors
                text = str(exc)
                kind = "busy" if "queue is full" in text.lower() or "busy" in text.lower() else "other"
                result = {"error": text}
            elapsed = time.perf_counter() - started
            with lock:
                if kind:
                    errors[kind] += 1
                    examples.setdefault(kind, str(result.get("error"))[:200])
                else:
                    latencies.append(elapsed)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(args.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    latencies.sort()
    report = {
        "clients": args.clients, "seconds": round(wall, 1), "answers": len(latencies),
        "errors": dict(errors), "error_examples": examples,
        "throughput_per_s": round(len(latencies) / wall, 2),
        "p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "p95_s": round(latencies[int(0.95 * (len(latencies) - 1))], 3) if latencies else None,
        "max_s": round(latencies[-1], 3) if latencies else None,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 1 if errors.get("other") or errors.get("error") else 0


if __name__ == "__main__":
    sys.exit(main())
