"""A policy the answerer has never seen (eval/heldout/, a fictitious text written for this test):
the same retrieval and answering logic must work on it as on the corpus."""
from __future__ import annotations

import shutil

import pytest

from rag.apps.evaluate import evaluate, load_set
from rag.core.config import PROJECT_ROOT, Settings
from tests.conftest import index_documents

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


SIBLINGS = {
    "湖州市科技创新条例.md": "# 湖州市科技创新条例\n\n## 第一章　总则\n\n第一条 为了促进科技创新，制定本条例。\n\n"
                          "第二条 科技成果转化收益的百分之六十以上奖励完成人。\n",
    "嘉兴市科技创新条例.md": "# 嘉兴市科技创新条例\n\n## 第一章　总则\n\n第一条 为了促进科技创新，制定本条例。\n\n"
                          "第二条 科技成果转化收益的百分之八十以上奖励完成人，孵化器补助五十万元。\n",
    "浙江省科技创新条例.md": "# 浙江省科技创新条例\n\n## 第一章　总则\n\n第一条 为了促进科技创新，制定本条例。\n\n"
                          "第二条 孵化器给予一次性补助三十万元。\n",
}


@pytest.fixture(scope="module")
def siblings_settings(tmp_path_factory):
    return index_documents(tmp_path_factory, "siblings", SIBLINGS)


@pytest.mark.slow
def test_a_city_is_answered_from_its_own_and_its_provinces_documents_never_a_siblings(siblings_settings):
    from rag.pipeline.asking import answer

    own = answer("湖州市科技成果转化收益奖励完成人的比例是多少？", settings=siblings_settings)
    assert "60%" in own.text or "百分之六十" in own.text
    above = answer("湖州的孵化器补助多少钱？", settings=siblings_settings)
    cited = {c.region for c in above.citations}
    assert cited and cited <= {"湖州市", "浙江省"} and "三十万元" in above.text
