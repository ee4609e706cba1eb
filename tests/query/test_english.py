"""English questions reach the Chinese clauses through CC-CEDICT, not through a hand-made glossary."""
from __future__ import annotations

from rag.core.words import tokenize
from rag.ingest.glossary import load_glossary
from rag.query.english import Bridge
from tests.conftest import CORPUS


def test_english_reaches_the_corpus_through_the_dictionary_not_a_glossary():
    from rag.query.english import Bridge

    corpus = "科技成果转化的收入，按比例奖励发明人。省科技厅牵头负责孵化器建设。"
    bridge = Bridge(corpus, {"收入", "比例", "发明人", "孵化器", "科技厅"}, names=load_glossary(CORPUS))
    groups = {g.english: g.chinese for g in bridge.groups("What share of income goes to the inventors?")}
    assert "收入" in groups["income"] and "发明人" in groups["inventors"]
    assert "孵化器" in bridge.expand("Which department leads incubators?")
    assert "科技厅" in bridge.expand("What does the Department of Science and Technology do?")
    assert bridge.expand("收益比例是多少") == ""


def test_a_dictionary_phrase_absent_from_the_corpus_is_an_absent_concept():
    from rag.query.english import Bridge

    bridge = Bridge("科技成果转化贷款贴息。", {"贷款", "贴息"})
    by_unit = {g.english: g for g in bridge.groups("What is the interest rate on loans?")}
    assert by_unit["interest rate"].absent and not by_unit["loans"].absent


def test_english_compounds_spellings_and_context_come_from_the_dictionary():
    from rag.query.english import Bridge

    corpus = "建设技术转移中心，设立成果转化引导基金。支持高校和科研院所开展技术转移。技术合同年交易额达到200亿元。"
    vocabulary = {"技术转移", "中心", "引导基金", "高校", "科研院所", "技术", "转移", "合同", "交易额", "转化"}
    bridge = Bridge(corpus, vocabulary)
    groups = {g.english: g.chinese for g in bridge.groups("Is there a technology transfer centre?")}
    # technology + transfer + centre joined as the documents write it (centre read as center)
    assert groups["technology"][0] == groups["centre"][0] == "技术转移中心"
    assert "中心" in groups["centre"]
    # each word keeps its own translation, for a clause that puts a word between them
    words = {g.english: g.chinese for g in bridge.groups("technology contract turnover")}
    assert "技术" in words["technology"] and "交易额" in words["turnover"]
    # a proper name's sense (Sichuan University) is no meaning of "university"
    assert not any("大学" in t and len(t) > 2 for t in
                   Bridge(corpus + "四川大学", vocabulary | {"四川大学"}).expand("university").split())
    # the sentences nearest in meaning decide among a word's translations
    near = Bridge(corpus, vocabulary, context=lambda q: "支持高校和科研院所开展技术转移。")
    assert near.groups("transfer")[0].chinese[0] == "转移"


def test_every_curated_english_term_is_one_the_dictionary_cannot_reach():
    """glossary.toml [terms] only shrinks: an entry the dictionary path reaches is redundant."""
    import tomllib

    from rag.ingest.glossary import load_departments
    from rag.query.english import Bridge, unreached

    texts = [p.read_text(encoding="utf-8").lower() for p in sorted(CORPUS.glob("*.txt"))]
    names: dict[str, list[str]] = {}
    for chinese, english in load_departments(CORPUS).items():
        for name in english:
            names.setdefault(name.lower(), []).append(chinese)
    bridge = Bridge("\n".join(texts), {t for text in texts for t in tokenize(text)}, names=names)
    with (CORPUS / "glossary.toml").open("rb") as fh:
        terms = tomllib.load(fh)["terms"]
    redundant = sorted(set(terms) - set(unreached(bridge, terms)))
    assert not redundant, f"retire these from corpus/glossary.toml [terms]: {redundant}"


def test_an_english_word_with_a_one_character_translation_finds_the_compounds():
    corpus = "享受房产税、城镇土地使用税优惠政策。税收优惠。提高效率，率先开展，率领团队。"
    bridge = Bridge(corpus, {"房产税", "使用税", "税收", "效率", "率先", "率领", "优惠"})
    taxes = bridge.groups("taxes")[0]
    assert "房产税" in taxes.chinese and "税收" not in taxes.chinese
    # 率 begins more corpus words than it ends (率先, 率领; 效率): "rate" stands for none of them
    assert bridge.groups("rate")[0].chinese == []


def test_casual_shortenings_are_written_out_as_whole_words_only():
    from rag.query.english import plain_english

    assert plain_english("does a uni need govt approval under the reg?") == \
        "does a university need government approval under the regulation?"
    assert plain_english("Which Dept leads? unique regimes") == "Which department leads? unique regimes"
