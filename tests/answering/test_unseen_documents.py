"""A policy the answerer has never seen (eval/heldout/, a fictitious text written for this test):
the same retrieval and answering logic must work on it as on the corpus."""
from __future__ import annotations

import shutil

import pytest

from rag.apps.evaluate import evaluate, load_set
from rag.core.config import PROJECT_ROOT, Settings

HELDOUT = PROJECT_ROOT / "eval" / "heldout"


@pytest.fixture(scope="module")
def heldout_settings(tmp_path_factory) -> Settings:
    from rag.pipeline.writing import ingest_paths

    corpus = tmp_path_factory.mktemp("heldout_corpus")
    shutil.copy(HELDOUT / "baishi_2018.txt", corpus)
    shutil.copy(PROJECT_ROOT / "corpus" / "glossary.toml", corpus)  # domain vocabulary, not the document
    settings = Settings(corpus_dir=corpus, data_dir=tmp_path_factory.mktemp("heldout_data"))
    report = ingest_paths([corpus], settings)
    assert report.documents == 1 and not report.skipped
    return settings


@pytest.mark.slow
def test_unseen_policy_is_answered_as_well_as_the_corpus(heldout_settings):
    from rag.pipeline.asking import answer
    from rag.pipeline.snapshot import make_retriever

    items = load_set(HELDOUT / "qa.jsonl")
    report = evaluate(items, make_retriever(heldout_settings),
                      lambda q: answer(q, settings=heldout_settings).as_dict())
    failures = [(r.item["id"], r.answer["answer"][:120]) for r in report.failures()]
    print(report.metrics, failures)
    assert report.metrics["hit@5"] >= 0.9, failures
    assert report.metrics["accuracy"] >= 0.85, failures
    assert report.metrics["abstention_recall"] == 1.0, failures


@pytest.mark.slow
def test_unseen_policy_gets_its_region_and_clause_labels_from_its_own_text(heldout_settings):
    from rag.pipeline.asking import answer

    result = answer("白石市职务科技成果转化净收入奖励给成果完成人的比例是多少？", settings=heldout_settings)
    cite = result.citations[0]
    assert cite.region == "白石市" and cite.clause_number == "二、（一）1"
    assert cite.label == "《白石市促进科技成果转移转化实施办法》二、（一）1"
