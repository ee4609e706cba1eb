"""Serving at library scale: memory, start-up and answer speed as the library grows.

    .venv/bin/python bench/scale.py                            # about 3k, 10k and 50k chunks
    .venv/bin/python bench/scale.py --sizes 3000,10000 --plot scale.png
    .venv/bin/python bench/scale.py --server                   # the same against a `chroma run` server

Builds its libraries in a work folder (``--work``, default /tmp/rag-scale; kept, so a second
run reuses them). The smallest is the real library: the corpus and ``../shared/regulations``,
ingested as a user would (its ingest time is printed). Larger ones are the real library plus
copies of the shared regulations re-titled into other cities from the division table, the
place names in their text replaced too. A copy's clause vectors and sentence vectors are its
original's (the texts differ only in place names), so 50k chunks take minutes to build, not
hours; what is measured is the serving side.

Per size, one JSON line: chunks, store size on disk, the seconds to prepare the serving state
from the store alone (rag.pipeline.saved_state: a start with no saved file), and from a fresh
process, which starts from that state, answering 50 questions (25 of eval/qa.jsonl, 25 of
../shared/eval-pool): its first answer from process start, median and p95 answer, peak RSS,
and the time until one document added by the same process (an editor's upload) is answerable.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
QUESTIONS = 50
SERVER_PORT = 8765


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="3000,10000,50000", help="chunk counts (the smallest: the real library)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-scale"))
    parser.add_argument("--server", action="store_true", help="store the libraries in a `chroma run` server")
    parser.add_argument("--plot", type=Path, help="write a PNG of every figure against chunks")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # the measured child process
    parser.add_argument("--started", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve, args.started)
    rows = []
    args.work.mkdir(parents=True, exist_ok=True)
    for size in sorted(int(s) for s in args.sizes.split(",")):
        folder = args.work / (f"server-{size}" if args.server else f"embedded-{size}")
        real = copy_real_library(folder, args.work, args.server)
        with chroma_server(folder / "server", args.server) as env:
            built = {**real, **build(folder, size, env)}
            cold = prepare_state(folder, env)
            row = {"target": size, "store": "server" if args.server else "embedded", **built,
                   "disk_mb": round(disk_bytes(folder) / 2**20), "state_prepared_s": cold, **measure(folder, env)}
        print(json.dumps(row), flush=True)
        rows.append(row)
    if args.plot:
        plot(rows, args.plot)
    return 0


def library_env(folder: Path, server: dict | None = None) -> dict:
    env = {**os.environ, "RAG_DATA_DIR": str(folder / "data"), "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    env.pop("RAG_CHROMA_HOST", None)
    return {**env, **(server or {})}


class chroma_server:
    """A `chroma run` server over ``path`` for the block (nothing when not asked for)."""

    def __init__(self, path: Path, wanted: bool):
        self.path, self.wanted, self.process = path, wanted, None

    def __enter__(self) -> dict:
        if not self.wanted:
            return {}
        self.path.mkdir(parents=True, exist_ok=True)
        chroma = Path(sys.executable).with_name("chroma")
        self.process = subprocess.Popen([str(chroma), "run", "--path", str(self.path), "--port", str(SERVER_PORT)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        import urllib.request

        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://localhost:{SERVER_PORT}/api/v2/heartbeat", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        return {"RAG_CHROMA_HOST": "localhost", "RAG_CHROMA_PORT": str(SERVER_PORT)}

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)


def real_library(work: Path) -> dict:
    """The corpus and the shared regulations, ingested once into ``work/real`` as a user would."""
    folder = work / "real"
    done = folder / "built.json"
    if not done.exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "rag", "ingest", "-q", str(ROOT / "corpus"), str(SHARED / "regulations")],
                       env=library_env(folder), check=True, stdout=subprocess.DEVNULL)
        done.write_text(json.dumps({"ingest_real_library_s": round(time.perf_counter() - started, 1)}))
    return json.loads(done.read_text())


def copy_real_library(folder: Path, work: Path, server: bool) -> dict:
    """The real library's files copied into ``folder`` (its Chroma folder as the server's, with
    --server), unless the library of this size was built before."""
    real = real_library(work)
    if not (folder / "built.json").exists():
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(work / "real" / "data", folder / "data")
        if server:
            (folder / "data" / "chroma").rename(folder / "server")
    return real


def build(folder: Path, size: int, server: dict) -> dict:
    """Re-titled copies added to the library in ``folder`` until it holds about ``size`` chunks."""
    done = folder / "built.json"
    if not done.exists():
        script = f"from bench.scale import add_copies; print(add_copies({size}))"
        out = subprocess.run([sys.executable, "-c", script], env=library_env(folder, server), check=True,
                             capture_output=True, text=True, cwd=ROOT)
        done.write_text(json.dumps({"chunks": int(out.stdout.strip().splitlines()[-1])}))
    return json.loads(done.read_text())


def add_copies(size: int) -> int:
    """Add re-titled copies of the shared regulations to the library of the environment's
    settings until it holds ``size`` chunks; returns how many it holds."""
    from rag.core.config import get_settings
    from rag.index.sentence_vectors import SentenceVectors
    from rag.index.store import ClauseStore
    from rag.pipeline.snapshot import mark_index_changed, reader_sentences

    settings = get_settings()
    vectors = SentenceVectors(settings.data_dir)
    with ClauseStore(settings) as store:
        snapshot = store.snapshot()
        nodes = snapshot.nodes
        total = len(nodes)
        works: dict[str, list] = {}
        for node, vector in zip(nodes, snapshot.vectors):
            if "/regulations/" in node.metadata.get("source_path", ""):
                works.setdefault(node.metadata["doc_id"], []).append((node, vector))
        places = iter(new_places({n.metadata.get("region", "") for n in nodes}))
        while total < size:
            city, province = next(places)
            for doc_id, originals in works.items():
                if total >= size:
                    break
                copies = [retitled(n, city, province) for n, _ in originals]
                for copy, original in zip(reader_sentences(copies), reader_sentences([n for n, _ in originals])):
                    known = vectors.vector(original)
                    if known is not None:
                        vectors.put(copy, known)
                same = {c.node_id: v.tolist() for c, (_, v) in zip(copies, originals)}
                store.sync_document(copies[0].metadata["doc_id"], copies, lambda new: [same[n.node_id] for n in new])
                total += len(copies)
        vectors.save()
        mark_index_changed(settings, store)
    return total


def new_places(taken: set[str]):
    """(city, province) of every prefecture-level city in the division table, in code order,
    that is no region of the library yet."""
    from rag.places.gazetteer import full_name

    for code in range(110100, 660000, 100):
        text = str(code)
        city, province = full_name(text), full_name(text[:2] + "0000")
        if not text.endswith("0000") and city and province and city not in taken:
            yield city, province


def retitled(node, city: str, province: str):
    """A copy of a regulation's chunk moved to ``city``: its region's names replaced in the
    title and text, a new document id, the same vectors."""
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode

    from rag.core.words import SEARCH_TERMS_KEY, search_terms
    from rag.places.gazetteer import short_name

    meta = dict(node.metadata)
    old = meta.get("region", "")
    swap = [(old, city), (short_name(old), short_name(city))] if old else []

    def moved(text: str) -> str:
        for before, after in swap:
            text = text.replace(before, after)
        return text

    code = hashlib.sha1(city.encode()).hexdigest()[:6]
    meta.update(doc_id=f"{meta['doc_id']}-{code}", title=moved(meta.get("title", "")), region=city,
                region_en="", parent_region=province, level="city", source_path=f"/copies/{code}/{meta.get('source_file', '')}")
    meta[SEARCH_TERMS_KEY] = " ".join(search_terms(meta["title"], meta.get("clause_path", ""), moved(node.text)))
    copy = TextNode(id_=hashlib.sha256(f"{meta['doc_id']}\n{node.node_id}".encode()).hexdigest()[:32],
                    text=moved(node.text), metadata=meta)
    # the store names a chunk's document by its source (llama-index's ref_doc_id)
    copy.relationships[NodeRelationship.SOURCE] = RelatedNodeInfo(node_id=meta["doc_id"])
    copy.excluded_embed_metadata_keys = list(node.excluded_embed_metadata_keys)
    copy.excluded_llm_metadata_keys = list(node.excluded_llm_metadata_keys)
    return copy


def prepare_state(folder: Path, server: dict) -> float:
    """Seconds to build the serving state from the store alone (its saved file removed first)
    and save it, as `rag ingest` does after a change, or a serving process that finds no
    usable file (after an upgrade): what a start without the file costs."""
    from rag.pipeline.saved_state import FILE_NAME

    (folder / "data" / FILE_NAME).unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from rag.pipeline.snapshot import make_retriever; make_retriever()"],
                   env=library_env(folder, server), check=True, capture_output=True, cwd=ROOT)
    return round(time.perf_counter() - started, 1)


def measure(folder: Path, server: dict) -> dict:
    """Run the measured process (``--serve``) on the library and read its JSON line."""
    started = time.time()
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--serve", str(folder), "--started", str(started)],
                         env=library_env(folder, server), capture_output=True, text=True, cwd=ROOT)
    if out.returncode:
        raise SystemExit(f"the measured process failed on {folder}:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def questions() -> list[str]:
    """25 questions of the team's set and 25 of the pool, spread over each."""
    team = [json.loads(line)["question"] for line in (ROOT / "eval" / "qa.jsonl").read_text().splitlines() if line.strip()]
    pool = [json.loads(line)["question"] for path in sorted((SHARED / "eval-pool").glob("p*.jsonl"))
            for line in path.read_text().splitlines() if line.strip()]
    half = QUESTIONS // 2
    return [team[i * len(team) // half] for i in range(half)] + [pool[i * len(pool) // half] for i in range(half)]


def serve(folder: Path, started: float) -> int:
    """The measured process: answer the questions, then add one document and ask about it."""
    import resource

    from rag.pipeline.asking import answer

    asked = questions()
    times = []
    first = None
    for question in asked:
        t = time.perf_counter()
        answer(question)
        times.append((time.perf_counter() - t) * 1000)
        if first is None:
            first = time.time() - started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    added_s = add_one_document(folder)
    times.sort()
    print(json.dumps({"first_answer_s": round(first, 2), "median_ms": round(statistics.median(times)),
                      "p95_ms": round(times[int(0.95 * (len(times) - 1))]), "peak_rss_mb": round(peak_mb),
                      "added_answerable_s": round(added_s, 1)}))
    return 0


def add_one_document(folder: Path) -> float:
    """Seconds from adding one regulation (re-titled into a city the library lacks) until a
    question about it is answered from it."""
    from rag.pipeline.asking import answer
    from rag.pipeline.writing import ingest_paths, remove_document

    source = SHARED / "regulations" / "上海市专利保护条例.md"
    inbox = folder / "inbox"
    shutil.rmtree(inbox, ignore_errors=True)
    inbox.mkdir()
    city = "拉萨市"
    path = inbox / source.name.replace("上海市", city)
    path.write_text(source.read_text(encoding="utf-8").replace("上海市", city).replace("上海", "拉萨"), encoding="utf-8")
    started = time.perf_counter()
    ingest_paths([path], added_by="bench")
    try:
        while time.perf_counter() - started < 120:
            result = answer(f"{city}专利保护条例第一条规定了什么？").as_dict()
            if any(city in json.dumps(c, ensure_ascii=False) for c in result.get("citations", [])):
                return time.perf_counter() - started
        return float("inf")
    finally:  # the library as it was, for the next run
        for doc in {c["doc_id"] for c in result.get("citations", []) if city in c.get("title", "")}:
            remove_document(doc)


def disk_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def plot(rows: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figures = ["disk_mb", "peak_rss_mb", "first_answer_s", "median_ms", "p95_ms", "added_answerable_s"]
    fig, axes = plt.subplots(2, 3, figsize=(12, 7))
    chunks = [r["chunks"] for r in rows]
    for ax, name in zip(axes.flat, figures):
        ax.plot(chunks, [r[name] for r in rows], marker="o")
        ax.set_title(name)
        ax.set_xlabel("chunks")
    fig.tight_layout()
    fig.savefig(path)


if __name__ == "__main__":
    sys.exit(main())
