"""Composition of the stages. ``rag.ingest_paths`` and ``rag.answer`` are the public doors.

Stages (ingest, chunking, index, retrieve, generate, cite) do not import each other's
internals; this module wires them together.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from filelock import FileLock, Timeout

from rag.chunking import ClauseNodeParser, token_counter
from rag.config import Settings, get_settings
from rag.corpus import CorpusCatalog
from rag.embeddings import get_embedder
from rag.errors import DocumentError, RagError
from rag.index import ClauseStore
from rag.ingest import discover, load_document


@dataclass
class IngestReport:
    documents: int = 0
    chunks: int = 0
    added: int = 0
    removed: int = 0
    seconds: float = 0.0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)

    def summary(self) -> str:
        line = (f"{self.documents} documents, {self.chunks} chunks "
                f"({self.added} added, {self.removed} removed) in {self.seconds:.1f} s")
        return line + (f"; {len(self.skipped)} skipped" if self.skipped else "")


class WriterBusy(RagError):
    pass


def writer_lock(settings: Settings) -> FileLock:
    """One writer at a time: Chroma's PersistentClient is not safe for concurrent writers."""
    path = Path(settings.data_dir)
    path.mkdir(parents=True, exist_ok=True)
    return FileLock(str(path / "ingest.lock"), timeout=0)


def ingest_paths(paths: list[Path] | None = None, settings: Settings | None = None,
                 progress: Callable[[str], None] | None = None, store: ClauseStore | None = None) -> IngestReport:
    """Load, chunk, embed and store documents; unchanged chunks are skipped, stale ones removed."""
    settings = settings or get_settings()
    started = time.perf_counter()
    report = IngestReport()
    files = discover(paths or [settings.corpus_dir])
    catalog = CorpusCatalog.load(settings.corpus_dir)
    try:
        with writer_lock(settings):
            store = store or ClauseStore(settings, create=True)
            embedder = get_embedder(settings.embed_model, settings.embed_threads)
            parser = ClauseNodeParser(max_tokens=settings.max_clause_tokens)
            count = token_counter()
            embed = lambda nodes: embedder.get_text_embedding_batch(
                [n.get_content(metadata_mode="embed") for n in nodes])
            seen_hashes: dict[str, str] = {}
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
                seen_hashes[doc.metadata["doc_hash"]] = path.name
                nodes = parser.clause_nodes(doc, count)
                result = store.sync_document(doc.node_id, nodes, embed)
                report.documents += 1
                report.chunks += len(nodes)
                report.added += result.added
                report.removed += result.removed
    except Timeout as exc:
        raise WriterBusy(f"another `rag ingest` is writing to {settings.data_dir}; try again when it ends") from exc
    report.seconds = time.perf_counter() - started
    return report


_retrievers: dict = {}


def make_retriever(settings: Settings | None = None):
    """The hybrid retriever for these settings, built once per process."""
    from rag.retrieve import HybridRetriever

    settings = settings or get_settings()
    key = (str(settings.data_dir), str(settings.corpus_dir), settings.embed_model, settings.chroma_host,
           settings.chroma_port)
    if key not in _retrievers:
        store = ClauseStore(settings)
        embedder = get_embedder(settings.embed_model, settings.embed_threads)
        from rag.corpus import load_glossary

        retriever = HybridRetriever(store, embedder, top_k=settings.top_k,
                                    glossary=load_glossary(settings.corpus_dir),
                                    region_groups=CorpusCatalog.load(settings.corpus_dir).region_groups())
        _retrievers[key] = retriever
    return _retrievers[key]


def question_regions(question: str, retriever):
    from rag.retrieve import match_regions

    return match_regions(question, retriever.region_groups, retriever.vocabulary)


def answer(question: str, region: str | None = None, history: list | None = None,
           settings: Settings | None = None):
    """The public door: a cited Answer for a question (Chinese or English)."""
    from rag.answer import answer_question

    settings = settings or get_settings()
    return answer_question(question, make_retriever(settings), region=region, history=history,
                           max_chars=settings.max_question_chars, writer=make_writer(settings))


_writers: dict = {}


def make_writer(settings: Settings):
    """None for the extractive generator; else the LLM writer (built once per process)."""
    if settings.generator == "extractive":
        return None
    key = (settings.generator, settings.llm_base_url, settings.llm_model, settings.local_model_path,
           str(settings.prompts_dir))
    if key not in _writers:
        from rag.llm import LLMWriter, make_llm

        _writers[key] = LLMWriter(make_llm(settings), settings.prompts_dir)
    return _writers[key]
