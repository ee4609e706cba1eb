"""The public doors for asking: ``rag.answer`` (a cited Answer), eligibility and comparison
over the snapshot of the library, and the optional LLM writer made once from the settings.
"""
from __future__ import annotations

import time

from rag.core.config import Settings, get_settings
from rag.core.errors import RagError
from rag.index.sentence_vectors import SentenceVectors
from rag.pipeline.snapshot import make_retriever


def question_regions(question: str, retriever):
    from rag.places.matching import match_regions

    return match_regions(question, retriever.region_groups, retriever.vocabulary)


def answer(question: str, region: str | None = None, history: list | None = None,
           settings: Settings | None = None, models=None):
    """The public door: a cited Answer for a question (Chinese or English). ``models``: other
    fitted parts than the committed ones (rag.answering.answerability.Models), for fitting them."""
    from rag.answering.chain import answer_question

    settings = settings or get_settings()
    started = time.perf_counter()
    result = answer_question(question, make_retriever(settings), region=region, history=history,
                             max_chars=settings.max_question_chars, writer=make_writer(settings),
                             models=models)
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
    verdict (rag/features/eligibility.py)."""
    from rag.features.eligibility import measures_for

    retriever = make_retriever(settings or get_settings())
    regions = [_one_region(region, retriever)]
    try:
        return measures_for(retriever.nodes, regions[0], kind, field, retriever.scope(regions))
    except ValueError as exc:
        raise RagError(str(exc)) from exc


_writers: dict = {}


def compare_regions(topic: str, regions: list[str] | None = None, settings: Settings | None = None) -> list:
    """The figure each region's documents set for ``topic`` (rag/features/compare.py); ``regions`` by any
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
