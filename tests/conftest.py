from __future__ import annotations

import pytest

from rag.core.config import (
    PROJECT_ROOT,
    Settings,
    apply_offline_defaults,
    settings_from_env,
)
from rag.ingest.catalog import CorpusCatalog
from rag.ingest.loading import load_document

apply_offline_defaults()
CORPUS = PROJECT_ROOT / "corpus"
# ../shared beside the checkout, or RAG_SHARED_DIR: the blind set and the extra documents are
# read from there, never copied into the repository
SHARED = settings_from_env().shared_dir
EXTRA_DOCS = SHARED / "extra-docs"
BLIND_SET = SHARED / "eval-blind" / "questions.jsonl"


@pytest.fixture(scope="session")
def catalog() -> CorpusCatalog:
    return CorpusCatalog.load(CORPUS)


@pytest.fixture(scope="session")
def corpus_docs(catalog):
    return {p.stem: load_document(p, catalog) for p in sorted(CORPUS.glob("*.txt"))}


@pytest.fixture(scope="session")
def indexed_settings(tmp_path_factory) -> Settings:
    """The real corpus ingested once into a temporary store with the default embedder."""
    from rag.pipeline.writing import ingest_paths

    settings = Settings(data_dir=tmp_path_factory.mktemp("rag_data"))
    report = ingest_paths([CORPUS], settings)
    assert report.documents == 5 and not report.skipped
    return settings
