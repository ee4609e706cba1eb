"""Homophone typos are read as the corpus word they sound like; dictionary words never change."""
from __future__ import annotations

from rag.query.spelling import Homophones, corrected


def test_a_homophone_typo_is_read_as_the_corpus_word_and_the_answer_says_so(example_settings):
    from rag.pipeline.asking import answer

    result = answer("示例市奖励公视至少几天？", settings=example_settings)
    assert not result.abstained
    assert "15日" in result.short_answer
    assert "“公视”为“公示”" in result.text


def test_words_the_dictionary_knows_are_never_corrected():
    homophones = Homophones({"公示", "医疗", "机构"}, "公示 医疗卫生机构")
    assert corrected("公立医院能否适用", homophones) == ("公立医院能否适用", {})
    assert corrected("奖励公视至少几天", homophones)[1] == {"公视": "公示"}
