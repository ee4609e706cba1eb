"""The serving side's view of the library: one snapshot of the store per process, read into a
retriever and replaced when another process changes the index, so every question reads one
version of every document. A new snapshot reuses the last one's work on what did not change:
the process's own last retriever, or at start the state saved beside the index
(rag.pipeline.saved_state).
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import replace
from pathlib import Path

from rag.core.config import Settings, get_settings
from rag.index.embeddings import get_embedder
from rag.index.sentence_vectors import SentenceVectors
from rag.index.store import EXCLUDED_FROM_SEARCH, ClauseStore
from rag.ingest.catalog import CorpusCatalog

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
    from rag.pipeline.saved_state import load_state, save_state, saved_signal

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
        saved = load_state(settings) if entry is None else None
        # a state saved at the index's present generation is that generation's snapshot: the
        # store is not even opened (a generation is stamped after every change it holds)
        current = saved is not None and bool(signal) and saved[1] == signal
        previous = entry["retriever"].reusable() if entry is not None else saved[0] if saved else None
        del saved
        while True:  # a change committed while the snapshot was read: read again
            retriever = build_retriever(settings, previous, read_store=not current)
            latest = _index_signal(settings)
            if latest == signal:
                break
            signal, previous, current = latest, retriever.reusable(), False
        del previous
        if _newer(signal, saved_signal(settings)):  # the next process starts from this one
            save_state(settings, retriever.reusable(), signal)
        replaced = entry is not None
        _retrievers[key] = {"retriever": retriever, "checked": time.monotonic(), "signal": signal}
        del entry  # the old snapshot is freed once the questions still reading it finish
        if replaced:
            return_freed_memory()
        return retriever


def _newer(signal: str, saved: str | None) -> bool:
    """The generation ``signal`` is newer than the saved state's (stamps are nanosecond times;
    a slower process does not replace a newer state with its older one)."""
    if saved is None:
        return True
    if signal.isdigit() and saved.isdigit():
        return int(signal) > int(saved)
    return signal != saved


def prepare_serving_state(settings: Settings) -> str:
    """What `rag ingest` does at its end: build and save the serving state the next process
    starts from, unless the saved one is of the present generation. Returns a warning, or ""
    (a failure here does not undo the ingest: the next serving process builds it)."""
    from rag.core.errors import RagError
    from rag.pipeline.saved_state import saved_signal

    try:
        if saved_signal(settings) != _index_signal(settings):
            make_retriever(settings)
    except (RagError, OSError) as exc:
        return f"the serving state was not prepared ({exc}); the next serving process builds it"
    return ""


def return_freed_memory() -> None:
    """Give the heap the replaced snapshot freed back to the system (glibc's malloc_trim).

    Python frees a snapshot's objects, but glibc keeps the pages of its fragmented arenas: a
    serving process's RSS grew about 9 MB per index change, with Python's own allocations flat
    (tracemalloc), and stays flat with this (bench/soak.py, docs/robustness.md). A no-op where
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


def build_retriever(settings: Settings, previous=None, read_store: bool = True):
    """A retriever over a new snapshot of the store; given ``previous``
    (rag.retrieval.reusable.Reusable), what both share (unchanged documents' chunks, their
    terms) is taken from it, not read again. Without ``read_store``, ``previous``'s snapshot is
    taken as the store's present one (a state saved at the present generation)."""
    from rag.ingest.glossary import load_departments, load_glossary
    from rag.retrieval.hybrid import HybridRetriever

    departments = load_departments(settings.corpus_dir)
    if previous is not None and previous.departments != departments:
        previous = None  # its chunks' English views were written with other official names
    if read_store or previous is None:
        with ClauseStore(settings) as store:
            snapshot = store.snapshot(previous.snapshot if previous is not None else None)
    else:  # a list of its own: the retriever sets version marks in it
        snapshot = replace(previous.snapshot, nodes=list(previous.snapshot.nodes))
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
                                sentence_vectors=vectors, departments=departments,
                                sentence_units=reader_sentences, previous=previous)
    vectors.add(retriever.reader_units)  # normally all known from the ingest
    return retriever


def reader_sentences(nodes) -> list[str]:
    """Every unit the reader scores (sentences, whole table rows) of the given chunks."""
    from rag.reading.extractive import sentences_of

    return [s for n in nodes if n.metadata.get("kind") not in EXCLUDED_FROM_SEARCH
            for s in sentences_of(n.text, n.metadata.get("kind", ""))]


def sentence_vectors_saved(settings: Settings) -> bool:
    """The data folder holds a file of sentence vectors (of this version or the older one)."""
    from rag.index.sentence_vectors import FILE_NAME, OLD_FILE_NAME

    return any((Path(settings.data_dir) / name).exists() for name in (FILE_NAME, OLD_FILE_NAME))


def warm_sentence_vectors(settings: Settings, store: ClauseStore, nodes=None) -> None:
    """Embed the sentences of stored chunks once, at ingest, for the reader: of ``nodes`` (the
    chunks just added; vectors no longer used stay in the file), else of every stored chunk
    (and only theirs are kept)."""
    vectors = SentenceVectors(settings.data_dir, settings.embed_threads)
    sentences = reader_sentences(store.all_chunks() if nodes is None else nodes)
    if vectors.add(sentences) or nodes is None:
        vectors.save(keep=sentences if nodes is None else None)
