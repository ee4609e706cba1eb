"""Region matching and hybrid retrieval on the real corpus."""
from __future__ import annotations

import pytest

from rag.core.words import tokenize


def test_chinese_is_tokenised_into_words_without_stopwords():
    tokens = tokenize("成果完成人的收益比例是多少？")
    assert "收益" in tokens and "比例" in tokens and "的" not in tokens and "？" not in tokens


@pytest.mark.slow
def test_hybrid_retrieval_finds_the_70_percent_clause_in_both_languages(indexed_settings):
    from rag.pipeline.snapshot import make_retriever

    retriever = make_retriever(indexed_settings)
    for question in ("科技成果转化收益给成果完成人的比例是多少？", "What share of income goes to the inventor?"):
        top = retriever.search(question, top_k=5)
        numbers = [(r.node.metadata["doc_id"], r.node.metadata["clause_number"]) for r in top]
        assert ("aba_2016", "四、（五）1") in numbers, (question, numbers)


@pytest.mark.slow
def test_region_filter_keeps_results_inside_the_region(indexed_settings):
    from rag.pipeline.snapshot import make_retriever

    retriever = make_retriever(indexed_settings)
    top = retriever.search("技术合同交易额目标", ["江西省"], top_k=5)
    assert top and {r.node.metadata["region"] for r in top} == {"江西省"}
    assert "100亿元" in top[0].node.text




def test_an_english_word_the_bridge_cannot_reach_is_searched_over_the_english_views(example_settings):
    import numpy as np

    from rag.pipeline.snapshot import make_retriever

    retriever = make_retriever(example_settings)
    # 公示 reads "public notification" in the view; a concept no clause has is covered by none
    assert retriever.english_covers("public notification") and not retriever.english_covers("blockchain")
    keep = np.ones(len(retriever.nodes), bool)
    top = retriever.english_ranking("how long is the public notification of rewards?", keep)[0][0]
    assert "公示时间不少于十五日" in retriever.by_id[top].text


@pytest.mark.slow
def test_rarity_counts_the_clauses_that_contain_a_term(indexed_settings):
    import math

    from rag.pipeline.snapshot import make_retriever

    retriever = make_retriever(indexed_settings)
    texts = [n.text.lower() for n in retriever.nodes]
    for term in ("科技", "科技成果转化", "70%", "技术合同登记", "。", "没有这个词"):
        df = sum(1 for text in texts if term in text)
        expected = math.log1p(len(texts) / df) if df else 0.0
        assert retriever.rarity(term) == expected, term


@pytest.mark.parametrize("through_file", [False, True], ids=["in memory", "saved and read back"])
def test_a_retriever_rebuilt_from_the_last_one_equals_one_built_afresh(tmp_path, through_file):
    import numpy as np

    from rag.core.config import Settings
    from rag.pipeline.saved_state import load_state, save_state
    from rag.pipeline.snapshot import build_retriever
    from rag.pipeline.writing import ingest_paths

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=tmp_path)
    for name, figure in (("a.txt", 10), ("b.txt", 20)):
        (tmp_path / name).write_text(f"{name}科技政策\n一、目标\n（一）高校技术转移机构。到2020年达到{figure}家。\n"
                                     "（二）省科技厅每年奖励科技成果转化5项。\n", encoding="utf-8")
    ingest_paths([tmp_path / "a.txt", tmp_path / "b.txt"], settings)
    first = build_retriever(settings).reusable()
    if through_file:
        save_state(settings, first, "1")
        first = load_state(settings)[0]
    (tmp_path / "b.txt").write_text("b.txt科技政策\n一、目标\n（一）高校技术转移机构。到2020年达到30家。\n"
                                    "（二）孵化器享受房产税优惠。\n", encoding="utf-8")
    ingest_paths([tmp_path / "b.txt"], settings)
    as_read = [dict(n.metadata) for n in first.snapshot.nodes]
    rebuilt, fresh = build_retriever(settings, first), build_retriever(settings)
    assert [n.metadata for n in first.snapshot.nodes] == as_read  # the last snapshot's chunks untouched
    assert [n.node_id for n in rebuilt.nodes] == [n.node_id for n in fresh.nodes]
    assert rebuilt.english_lines == fresh.english_lines and rebuilt.units_of == fresh.units_of
    assert rebuilt.bridge.corpus.headwords_of == fresh.bridge.corpus.headwords_of
    assert [n.metadata for n in rebuilt.nodes] == [n.metadata for n in fresh.nodes]
    assert np.array_equal(rebuilt.snapshot.vectors, fresh.snapshot.vectors)
    assert rebuilt.vocabulary == fresh.vocabulary and rebuilt.english_vocabulary == fresh.english_vocabulary
    for question in ("高校技术转移机构达到多少家？", "孵化器 房产税", "university technology transfer office", "tax incubator"):
        for a, b in zip(rebuilt.rankings(question, []), fresh.rankings(question, [])):
            assert a == b, question
    assert np.array_equal(rebuilt.bm25.scores(["孵化器"]), fresh.bm25.scores(["孵化器"]))
