"""Soak test: the app under 16 clients for 10 minutes while another process adds and removes
a document every 30 s.

    .venv/bin/python bench/soak.py                       # 600 s, 16 clients, a change every 30 s
    .venv/bin/python bench/soak.py --seconds 120 --clients 4

It copies the index of RAG_DATA_DIR (default .rag_data; run `rag ingest` first) to a temporary
folder, starts `python app.py` on it, and has client threads ask questions from eval/qa.jsonl
mixed with questions about the rotating document through the /ask endpoint. Every ``--every``
seconds another process runs `rag ingest FILE` (a new version of the rotating document) or
`rag remove DOC` in turn. Reported: answers, errors, p50/p95 latency, the app's memory (RSS)
after warm-up, after each change and at the end, and stale citations: answers that started more than the check
interval after a removal had finished, before the next ingest began, and still cite the
removed document. Exit 1 on any
error or stale citation.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DOC_ID = "soak_rotating.txt"  # the rotating document's file, and its id (no documents.toml entry)
QUESTION = "灰山市成果完成人的奖励比例是多少？"
SETTLE_S = 3.0  # the serving process looks for a new generation every 2 s


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--every", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=60, help="seconds before the first memory reading")
    args = parser.parse_args()

    from gradio_client import Client

    source = Path(os.environ.get("RAG_DATA_DIR", ROOT / ".rag_data"))
    if not (source / "chroma").is_dir():
        print(f"no index in {source}: run `rag ingest` first", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="soak-"))
    data = work / "data"
    shutil.copytree(source, data, ignore=shutil.ignore_patterns("uploads", "*.lock"))
    doc = work / DOC_ID
    port = free_port()
    env = dict(os.environ, RAG_DATA_DIR=str(data), HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False",
               RAG_SERVER_PORT=str(port), GRADIO_SERVER_PORT=str(port))
    app = subprocess.Popen([PYTHON, "app.py"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except OSError:
                if app.poll() is not None or time.monotonic() > deadline:
                    print("the app did not start", file=sys.stderr)
                    return 2
                time.sleep(0.5)
        return _soak(args, Client, url, app, env, doc)
    finally:
        app.terminate()
        app.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


def _soak(args, Client, url: str, app, env: dict, doc: Path) -> int:
    questions = [json.loads(line)["question"] for line in (ROOT / "eval" / "qa.jsonl").open(encoding="utf-8")]
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    stale: list[str] = []
    cited_rotating = [0]  # answers citing the rotating document while it was in: the check is live
    removed_at: list[float] = []  # when each removal finished (monotonic)
    adding_since = [0.0]  # when the latest ingest began: its version may show before it returns
    present = threading.Event()  # the rotating document is in the index
    started_all = time.monotonic()
    stop = started_all + args.seconds

    def worker(i: int) -> None:
        client = Client(url, verbose=False)
        n = i
        while time.monotonic() < stop:
            question = QUESTION if n % 4 == 0 else questions[n % len(questions)]
            n += args.clients
            began = time.monotonic()
            try:
                result = client.predict(question, "", api_name="/ask")
            except Exception as exc:  # the client raises on server errors and a full queue
                with lock:
                    errors.append(str(exc)[:200])
                continue
            elapsed = time.monotonic() - began
            cites = {c.get("doc_id") for c in result.get("citations", [])}
            with lock:
                latencies.append(elapsed)
                if "error" in result:
                    errors.append(str(result["error"])[:200])
                cited_rotating[0] += DOC_ID in cites and present.is_set()
                # removed, settled before this question began, and no ingest begun since (the
                # next version shows before its ingest process returns)
                gone = removed_at and began > removed_at[-1] + SETTLE_S and adding_since[0] < removed_at[-1]
                if DOC_ID in cites and gone:
                    stale.append(f"{began - removed_at[-1]:.1f} s after removal {len(removed_at)}: "
                                 f"{question} → {result.get('answer', '')[:60]}")

    def change(n: int) -> None:
        if n % 2 == 0:
            doc.write_text(f"灰山市促进科技成果转移转化实施办法\n\n一、收益分配\n1.职务科技成果转化所得净收入，"
                           f"按不低于{50 + n % 40}%的比例奖励成果完成人及其团队。\n", encoding="utf-8")
            cmd = [PYTHON, "-m", "rag", "ingest", "-q", str(doc)]
            with lock:
                adding_since[0] = time.monotonic()
        else:
            cmd = [PYTHON, "-m", "rag", "remove", DOC_ID]
        done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
        with lock:
            if done.returncode != 0:
                errors.append(f"{' '.join(cmd[3:])}: {done.stderr.strip()[-200:]}")
            elif n % 2 == 0:
                present.set()
            else:
                present.clear()
                removed_at.append(time.monotonic())

    threads = [threading.Thread(target=worker, args=(i,), daemon=True) for i in range(args.clients)]
    for t in threads:
        t.start()
    memory_start = None
    memory_trace: list[float] = []  # the app's RSS after each change: growth that levels off is caches
    n = 0
    next_change = time.monotonic() + args.every
    while time.monotonic() < stop:
        time.sleep(1)
        if memory_start is None and time.monotonic() - started_all >= args.warmup:
            memory_start = rss_mb(app.pid)
        if time.monotonic() >= next_change:
            change(n)
            memory_trace.append(round(rss_mb(app.pid)))
            n += 1
            next_change = time.monotonic() + args.every
    for t in threads:
        t.join(timeout=120)
    memory_end = rss_mb(app.pid)
    ordered = sorted(latencies)
    report = {
        "seconds": args.seconds, "clients": args.clients, "changes": n, "answers": len(latencies),
        "errors": len(errors), "error_examples": errors[:3], "stale_citations": len(stale),
        "answers_citing_the_rotating_document": cited_rotating[0],
        "stale_examples": stale[:3],
        "p50_s": round(statistics.median(ordered), 3) if ordered else None,
        "p95_s": round(ordered[int(0.95 * (len(ordered) - 1))], 3) if ordered else None,
        "rss_mb_after_warmup": round(memory_start or 0, 1), "rss_mb_end": round(memory_end, 1),
        "rss_mb_after_each_change": memory_trace,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
    return 1 if errors or stale else 0


if __name__ == "__main__":
    sys.exit(main())
