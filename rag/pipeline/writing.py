"""Changing the library: ``ingest_paths`` (the public door for adding documents) and
``remove_document``, one writer at a time (a file lock), stale chunks and deleted files pruned,
and the index's generation stamped so serving processes see the change.
"""
from __future__ import annotations

import time
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from rag.chunking.parser import ClauseNodeParser, token_counter
from rag.core.config import Settings, get_settings
from rag.core.errors import DocumentError, RagError
from rag.index.embeddings import get_embedder
from rag.index.store import ClauseStore
from rag.ingest.catalog import CorpusCatalog
from rag.ingest.glossary import load_departments
from rag.ingest.loading import discover, load_document
from rag.pipeline.snapshot import mark_index_changed, sentence_vectors_saved, warm_sentence_vectors


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
                 progress: Callable[[str, IngestReport], None] | None = None, store: ClauseStore | None = None,
                 added_by: str = "", admit: Callable | None = None) -> IngestReport:
    """Load, chunk, embed and store documents; unchanged chunks are skipped, stale ones removed.
    ``progress(file name, report so far)`` is called before each file.

    Every document records who added it (``added_by``, else the operator of the settings) and
    when; ``admit(document) → reason`` refuses a document for a non-empty reason (uploads)."""
    settings = settings or get_settings()
    started = time.perf_counter()
    report = IngestReport()
    files = discover(paths or [settings.corpus_dir])
    catalog = CorpusCatalog.load(settings.corpus_dir)
    owned = store is None
    with writing(settings), (ClauseStore(settings, create=True) if owned else nullcontext(store)) as store:
        embedder = get_embedder(settings.embed_model, settings.embed_threads)
        parser = ClauseNodeParser(max_tokens=settings.max_clause_tokens, departments=load_departments(settings.corpus_dir))
        count = token_counter()
        embed = lambda nodes: embedder.get_text_embedding_batch(
            [n.get_content(metadata_mode="embed") for n in nodes])
        seen_hashes: dict[str, str] = {}
        added_nodes = []  # chunks of documents that changed: their sentences are embedded below
        # set while an ingest may have committed chunks whose sentences are not embedded yet: an
        # ingest that finds it set (the last one was stopped) embeds every stored chunk's sentences
        pending = Path(settings.data_dir) / "sentence-vectors.pending"
        interrupted = pending.exists()
        pending.touch()
        indexed = {d["doc_id"]: d for d in store.documents(fill=True)}
        for path in files:
            if progress:  # the file about to be read, and what was done so far
                progress(path.name, report)
            try:
                doc = load_document(path, catalog)
            except DocumentError as exc:
                report.skipped.append((path.name, str(exc)))
                continue
            refusal = admit(doc) if admit else ""
            if refusal:
                report.skipped.append((path.name, f"{path.name}: {refusal}"))
                continue
            doc.metadata.update(added_by=added_by or f"command line ({settings.operator or 'unknown'})",
                                added_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
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
                added_nodes.extend(nodes)
                mark_index_changed(settings, store)
        report.pruned = _prune_deleted(store, indexed, paths or [settings.corpus_dir], files)
        if report.pruned:
            mark_index_changed(settings, store)
        # every stored chunk's sentences once something left the library (their vectors are
        # pruned then), else only the new chunks' (an added document costs its own sentences)
        full = interrupted or report.removed or report.pruned or not sentence_vectors_saved(settings)
        warm_sentence_vectors(settings, store, None if full else added_nodes)
        pending.unlink(missing_ok=True)
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
