"""Composition of the stages. ``rag.ingest_paths`` and ``rag.answer`` are the public doors.

Stages (ingest, chunking, index, retrieve, generate, cite) do not import each other's
internals; this module wires them together.
"""
from __future__ import annotations

import os
import threading
import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from rag.chunking.clauses import ClauseNodeParser, token_counter
from rag.core.config import Settings, get_settings
from rag.ingest.catalog import CorpusCatalog
from rag.index.embeddings import get_embedder
from rag.core.errors import DocumentError, RagError
from rag.index.store import EXCLUDED_FROM_SEARCH, ClauseStore
from rag.ingest.loading import discover, load_document
from rag.index.sentence_vectors import SentenceVectors


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    removed: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    pruned: list[str] = field(default_factory=list)  # documents whose file left an ingested folder

    def summary(self) -> str:
        line = (f"{self.documents} documents, {self.chunks} chunks "
                f"({self.added} added, {self.removed} removed) in {self.seconds:.1f} s")
        if self.pruned:
            line += f"; pruned {len(self.pruned)} no longer in the folder: {', '.join(self.pruned)}"
        return line + (f"; {len(self.skipped)} skipped" if self.skipped else "")


class WriterBusy(RagError):
    pass


def writer_lock(settings: Settings) -> FileLock:
    """One writer at a time: Chroma's PersistentClient is not safe for concurrent writers."""
    path = Path(settings.data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path / "ingest.lock"), timeout=0)


@contextmanager
def writing(settings: Settings):
    """The writer lock, or WriterBusy (a clear "wait" for the user) when another writer holds it."""
    try:
        with writer_lock(settings):
            yield
    except Timeout as exc:
        raise WriterBusy(f"another `rag ingest` or `rag remove` is writing to {settings.data_dir}; "
                         "try again when it ends") from exc


def remove_document(doc_id: str, settings: Settings | None = None) -> int:
    """Drop one document from the index (its chunk count); waits for no writer: told to retry."""
    settings = settings or get_settings()
    with writing(settings):
        with ClauseStore(settings) as store:
            removed = store.remove_document(doc_id)
            if removed:
                mark_index_changed(settings, store)
        if removed:  # again once the client is closed and Chroma has written everything
            mark_index_changed(settings)
    if not removed:
        raise RagError(f"no document {doc_id!r} in the index")
    return removed


def ingest_paths(paths: list[Path] | None = None, settings: Settings | None = None,
                 progress: Callable[[str], None] | None = None, store: ClauseStore | None = None) -> IngestReport:
    """Load, chunk, embed and store documents; unchanged chunks are skipped, stale ones removed."""
    settings = settings or get_settings()
    started = time.perf_counter()
    report = IngestReport()
    files = discover(paths or [settings.corpus_dir])
    catalog = CorpusCatalog.load(settings.corpus_dir)
    owned = store is None
    with writing(settings), (ClauseStore(settings, create=True) if owned else nullcontext(store)) as store:
        embedder = get_embedder(settings.embed_model, settings.embed_threads)
        parser = ClauseNodeParser(max_tokens=settings.max_clause_tokens)
        count = token_counter()
        embed = lambda nodes: embedder.get_text_embedding_batch(
            [n.get_content(metadata_mode="embed") for n in nodes])
        seen_hashes: dict[str, str] = {}
        indexed = {d["doc_id"]: d for d in store.documents()}
        for path in files:
            if progress:
                progress(path.name)
            try:
                doc = load_document(path, catalog)
            except DocumentError as exc:
                report.skipped.append((path.name, str(exc)))
                continue
            dup = seen_hashes.get(doc.metadata["doc_hash"])
            if dup:
                report.skipped.append((path.name, f"{path.name}: same text as {dup}; skipped"))
                continue
            clash = _identity_clash(doc, indexed)
            if clash:
                report.skipped.append((path.name, clash))
                continue
            seen_hashes[doc.metadata["doc_hash"]] = path.name
            nodes = parser.clause_nodes(doc, count)
            result = store.sync_document(doc.node_id, nodes, embed)
            report.documents += 1
            report.chunks += len(nodes)
            report.added += result.added
            report.removed += result.removed
            if result.added or result.removed:
                mark_index_changed(settings, store)
        report.pruned = _prune_deleted(store, indexed, paths or [settings.corpus_dir], files)
        if report.pruned:
            mark_index_changed(settings, store)
        _warm_sentence_vectors(settings, store)
        if owned and (report.added or report.removed or report.pruned) and not settings.uses_chroma_server:
            store.close()  # Chroma has written everything once its client closes: stamp again
            mark_index_changed(settings)
    report.seconds = time.perf_counter() - started
    return report


def _identity_clash(doc, indexed: dict[str, dict]) -> str:
    """Why ``doc`` may not take its id: another file that still exists holds it."""
    held = indexed.get(doc.node_id)
    other = (held or {}).get("source_path", "")
    if other and other != doc.metadata["source_path"] and Path(other).exists():
        return (f"{doc.metadata['source_file']}: a different file with the id {doc.node_id!r} is already indexed "
                f"from {other}; rename this file, or `rag remove {doc.node_id}` first")
    return ""


def _prune_deleted(store: ClauseStore, indexed: dict[str, dict], paths: list[Path], files: list[Path]) -> list[str]:
    """Remove documents whose file was inside an ingested folder and is no longer among its
    documents (deleted, or no longer a document the folder's ingest takes)."""
    folders = [Path(p).resolve() for p in paths if Path(p).is_dir()]
    present = {str(f.resolve()) for f in files}
    names = {f.name for f in files if any(d in f.resolve().parents for d in folders)}
    pruned = []
    for doc_id, meta in indexed.items():
        source = Path(meta.get("source_path") or "")
        gone = meta.get("source_path") and str(source) not in present and any(f in source.parents for f in folders)
        # an index written before documents recorded their path: a file of this folder now
        # ingested under another id supersedes it
        superseded = not meta.get("source_path") and meta.get("source_file") in names
        if gone or superseded:
            store.remove_document(doc_id)
            pruned.append(doc_id)
    return sorted(pruned)


_retrievers: dict = {}
_retriever_lock = threading.Lock()
CHECK_EVERY_S = 2.0  # how often a serving process looks for another process's ingest


def version_file(settings: Settings) -> Path:
    return Path(settings.data_dir) / "index.version"


def mark_index_changed(settings: Settings, store: ClauseStore | None = None) -> None:
    """Stamp a new generation: serving processes read a new snapshot at their next question.
    ``index.version`` is replaced by rename (a reader never sees it half-written); on a Chroma
    server, whose writers may be on other machines, the stamp is also a record in the store."""
    stamp = f"{time.time_ns()}"
    path = version_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(stamp + "\n")
    tmp.replace(path)
    if settings.uses_chroma_server and store is not None:
        store.stamp_generation(stamp)
    for key, entry in _retrievers.items():  # this process looks again at its next question
        if key[0] == str(settings.data_dir):
            entry["checked"] = float("-inf")


def _index_signal(settings: Settings) -> str:
    if settings.uses_chroma_server:
        with ClauseStore(settings) as store:
            return store.generation()
    try:
        return version_file(settings).read_text().strip()
    except OSError:
        return ""


def make_retriever(settings: Settings | None = None):
    """The hybrid retriever for these settings: one snapshot of the index, built once per
    process and replaced by a new one when the index's generation changes (checked at most
    every CHECK_EVERY_S). Once a change is seen, questions wait for the new snapshot rather
    than answer from the old one. A question holds the retriever it started with to its end,
    so it reads one version of every document; nothing process-wide is reset."""
    settings = settings or get_settings()
    key = (str(settings.data_dir), str(settings.corpus_dir), settings.embed_model, settings.chroma_host,
           settings.chroma_port)
    entry = _retrievers.get(key)
    now = time.monotonic()
    if entry is not None and now - entry["checked"] < CHECK_EVERY_S:
        return entry["retriever"]
    with _retriever_lock:  # while a new snapshot is built, the other questions wait for it
        entry = _retrievers.get(key)
        signal = _index_signal(settings)
        if entry is not None and signal == entry["signal"]:
            entry["checked"] = now
            return entry["retriever"]
        while True:  # a change committed while the snapshot was read: read again
            retriever = _build_retriever(settings)
            latest = _index_signal(settings)
            if latest == signal:
                break
            signal = latest
        replaced = entry is not None
        _retrievers[key] = {"retriever": retriever, "checked": time.monotonic(), "signal": signal}
        del entry  # the old snapshot is freed once the questions still reading it finish
        if replaced:
            return_freed_memory()
        return retriever


def return_freed_memory() -> None:
    """Give the heap the replaced snapshot freed back to the system (glibc's malloc_trim).

    Python frees a snapshot's objects, but glibc keeps the pages of its fragmented arenas: a
    serving process's RSS grew about 9 MB per index change, with Python's own allocations flat
    (tracemalloc), and stays flat with this (bench/soak.py, README "Robustness"). A no-op where
    the C library has no malloc_trim."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _build_retriever(settings: Settings):
    from rag.ingest.catalog import load_departments, load_glossary
    from rag.retrieval.hybrid import HybridRetriever

    with ClauseStore(settings) as store:
        snapshot = store.snapshot()
    embedder = get_embedder(settings.embed_model, settings.embed_threads)
    catalog = CorpusCatalog.load(settings.corpus_dir)
    vectors = SentenceVectors(settings.data_dir, settings.embed_threads)
    # official names the bridge from English knows: departments (glossary.toml) and regions
    names = load_glossary(settings.corpus_dir)
    for name, regions in catalog.region_groups().items():
        if name.isascii():
            names.setdefault(name, list(regions))
    retriever = HybridRetriever(snapshot, embedder, top_k=settings.top_k, glossary=names,
                                region_groups=catalog.region_groups(), parents=catalog.parents(),
                                sentence_vectors=vectors, departments=load_departments(settings.corpus_dir),
                                sentence_units=reader_sentences)
    vectors.add(retriever.reader_units)  # normally all known from the ingest
    return retriever


def reader_sentences(nodes) -> list[str]:
    """Every unit the reader scores (sentences, whole table rows) of the given chunks."""
    from rag.reading.extractive import sentences_of

    return [s for n in nodes if n.metadata.get("kind") not in EXCLUDED_FROM_SEARCH
            for s in sentences_of(n.text, n.metadata.get("kind", ""))]


def _warm_sentence_vectors(settings: Settings, store: ClauseStore) -> None:
    """Embed the sentences of every stored chunk once, at ingest, for the reader."""
    vectors = SentenceVectors(settings.data_dir, settings.embed_threads)
    sentences = reader_sentences(store.all_chunks())
    vectors.add(sentences)
    vectors.save(keep=sentences)


def question_regions(question: str, retriever):
    from rag.retrieval.hybrid import match_regions

    return match_regions(question, retriever.region_groups, retriever.vocabulary)


def answer(question: str, region: str | None = None, history: list | None = None,
           settings: Settings | None = None):
    """The public door: a cited Answer for a question (Chinese or English)."""
    from rag.answering.chain import answer_question

    settings = settings or get_settings()
    started = time.perf_counter()
    result = answer_question(question, make_retriever(settings), region=region, history=history,
                             max_chars=settings.max_question_chars, writer=make_writer(settings))
    result.latency_ms = (time.perf_counter() - started) * 1000
    return result


def _one_region(name: str, retriever) -> str:
    """The one indexed region a name or alias means, or an error listing them."""
    found = question_regions(name, retriever).regions
    if len(found) != 1:
        known = "、".join(sorted({r for v in retriever.region_groups.values() for r in v}))
        raise RagError(f"{name!r} is not one region of the documents; one of {known}")
    return found[0]


def eligible(region: str, kind: str, field: str = "", settings: Settings | None = None) -> list:
    """The measures for an applicant of ``kind`` in ``region`` (any name or alias of it; a city
    inside a covered region reads that region's documents and those above it), each with its
    verdict (rag/eligibility.py)."""
    from rag.features.eligibility import measures_for

    retriever = make_retriever(settings or get_settings())
    regions = [_one_region(region, retriever)]
    try:
        return measures_for(retriever.nodes, regions[0], kind, field, retriever.scope(regions))
    except ValueError as exc:
        raise RagError(str(exc)) from exc


_writers: dict = {}


def compare_regions(topic: str, regions: list[str] | None = None, settings: Settings | None = None) -> list:
    """The figure each region's documents set for ``topic`` (rag/compare.py); ``regions`` by any
    name or alias, default every indexed region."""
    from rag.features.compare import compare

    retriever = make_retriever(settings or get_settings())
    if regions:
        named = [_one_region(name, retriever) for name in regions]
    else:
        named = sorted({n.metadata.get("region", "") for n in retriever.nodes} - {""})
    try:
        return compare(topic, named, retriever.nodes, retriever.bridge)
    except ValueError as exc:
        raise RagError(str(exc)) from exc


def gold_chunks(gold: list[dict], root: Path, settings: Settings | None = None) -> dict:
    """(doc, clause number) → the chunks the ingest makes of that clause, for the documents a
    gold file annotates: each file chunked as ``rag ingest`` chunks it (a corpus id is
    corpus/<id>.txt; ``source`` is a path from the project root)."""
    settings = settings or get_settings()
    catalog = CorpusCatalog.load(settings.corpus_dir)
    out: dict[tuple[str, str], list] = {}
    for doc_id, relative in dict.fromkeys((line["doc"], line.get("source", "")) for line in gold):
        path = Path(root) / relative if relative else settings.corpus_dir / f"{doc_id}.txt"
        if not path.is_file():
            raise RagError(f"gold file: {path} not found (the document it annotates)")
        for node in ClauseNodeParser().clause_nodes(load_document(path, catalog), token_counter()):
            key = (doc_id, node.metadata.get("clause_number") or node.metadata.get("clause_path", ""))
            out.setdefault(key, []).append(node)
    return out


def make_writer(settings: Settings):
    """None for the extractive generator; else the LLM writer (built once per process)."""
    if settings.generator == "extractive":
        return None
    key = (settings.generator, settings.llm_base_url, settings.llm_model, settings.local_model_path,
           str(settings.prompts_dir))
    if key not in _writers:
        from rag.llm.writer import LLMWriter, make_llm

        vectors = SentenceVectors(settings.data_dir, settings.embed_threads)
        _writers[key] = LLMWriter(make_llm(settings), settings.prompts_dir, similarity=vectors.pair_similarity)
    return _writers[key]
