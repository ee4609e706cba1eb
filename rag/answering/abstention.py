"""When the documents may not answer: the signals of abstention and the rules that define it.

Signals, weighed by the fitted answerability model (rag.answering.answerability): the share of
the question's concepts no document mentions (Chinese words through jieba, English units
through the dictionary), and an amount question whose sentences state no figure in the asked
unit or none for the place named inside a region. Definitions, which decide alone: years
outside every plan asked about, and text addressed to the assistant rather than about the
documents.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from rag.core.model import Evidence
from rag.core.numbers import arabic_numerals, numbers_in
from rag.core.vocabulary import (
    ANY_YEAR,
    CN_DIGITS,
    CN_NUMERALS,
    FRAGMENT_BREAKS,
    HOW_MUCH,
    INDEFINITE_ARTICLE,
    TIME_SPAN,
)
from rag.core.words import STOPWORDS, segmenter
from rag.extract.facts import FIGURE
from rag.index.library_text import LibraryText
from rag.query.analysis import asked_unit
from rag.query.english import is_english

AMOUNT_WORDS = re.compile(rf"{HOW_MUCH}|比例是|how (much|many|large|big|long)|what (percentage|share|"
                          r"proportion|amount|minimum|maximum)|which (percentage|share)", re.I)
NO_FIGURE = {
    "zh": "文件未给出这一数字：相关条款提到了这一事项，但没有规定具体数额或比例。以下条款可能相关，仅供参考。",
    "en": "The documents don't state this figure: the related clauses mention the matter but give no amount "
          "or share. They are listed below for reference, not as an answer.",
}
NO_BREAKDOWN = {
    "zh": "文件未给出{place}的数字：相关条款只有{scope}的规定，没有分解到{place}。以下条款仅供参考。",
    "en": "The documents don't give a figure for {place}: the related clauses state it for {scope} only, "
          "not broken down to {place}. They are listed below for reference.",
}


_CLAUSE_NUMBER = re.compile(rf"第[{CN_NUMERALS}\d]+[章节条款项]|^[（(]?[{CN_DIGITS}\d]+[）)、.．]")


_MONEY = ("元", "万元", "亿元")
_PHRASE = re.compile(rf"[^{FRAGMENT_BREAKS}、（）()]+")  # a fragment, also cut at 、 and brackets


# a span of time (十五日, 30个工作日, 6个月), not a date (1月15日); 天 and 日 are one unit
_SAME_UNIT = {"天": "日", "个工作日": "日", "工作日": "日"}


def _units_in(fragment: str) -> set[str]:
    units = {m.group(3) for m in FIGURE.finditer(fragment) if m.group(3)}
    units |= {m.group(1) for m in TIME_SPAN.finditer(fragment)}
    return {_SAME_UNIT.get(u, u) for u in units}


def _states_asked_figure(ev: Evidence, unit: str, terms: list[str], whole: bool = False) -> bool:
    """A fragment of the sentence (with ``whole``, the sentence) gives a figure in the asked
    unit and shares a topic term."""
    money = unit in _MONEY
    unit = _SAME_UNIT.get(unit, unit)
    written = arabic_numerals(ev.sentence)
    for fragment in [written] if whole else _PHRASE.findall(written):
        units = _units_in(fragment)
        if (unit in units or (money and units & set(_MONEY))) and any(t in fragment for t in terms if len(t) > 1):
            return True
    return False


def has_figure(sentence: str) -> bool:
    """A number other than a year, a document number (国发〔2016〕16号) or the clause's own
    numbering."""
    return bool(numbers_in(_CLAUSE_NUMBER.sub("", without_years(_DOC_NUMBER.sub("", sentence)))))


_DOC_NUMBER = re.compile(r"[〔\[(（]\s*\d{4}\s*[〕\])）]\s*\d+\s*号")
# nouns that say what kind of quantity is asked, not what it is of (房租补贴的标准, 任务的数量)
_QUANTITY_NOUNS = {"标准", "比例", "数量", "数目", "任务", "规模", "目标", "金额", "额度", "时间", "幅度", "水平",
                   "指标", "总量", "总额", "数额", "上限", "下限", "期限"}
_ASK = re.compile(rf"是?(?:{HOW_MUCH})|几|多大|多长|多高")


def asked_topic(query: str) -> list[str]:
    """The first two nouns after a Chinese amount question's 多少/几 (培养多少名技术转移人才),
    else the last two before it (房租补贴标准是多少 → 房租, 补贴): what the figure must be of. Place names, scope words (全州) and the nouns for a kind
    of quantity (标准, 比例) are left out; [] for English."""
    import jieba.posseg as pseg

    m = _ASK.search(query)
    if not m or query.isascii() or _DATE_ASK.search(query):
        return []
    before = re.split(r"[，,。；;？?！!]", query[:m.start()])[-1]
    after = re.split(r"[，,。；;？?！!]", query[m.end():])[0]
    segmenter()
    nouns = lambda text: [w.word for w in pseg.cut(text)
                          if w.flag.startswith(("n", "vn")) and w.flag not in ("ns", "nr", "nrt", "nt")
                          and len(w.word) >= 2 and w.word not in _QUANTITY_NOUNS
                          and not w.word.startswith(("全", "各"))]
    following = nouns(after)  # 培养多少名专业化技术转移人才: what is counted follows the ask
    return following[:2] if following else nouns(before)[-2:]


_DATE_ASK = re.compile(r"几月|几号|几日|哪天|哪一天|何时|什么时候")


def unstated_figure(query: str, chosen: list[Evidence], places: list[str], terms: list[str]) -> dict | None:
    """The abstention text when an amount question's best sentences state no figure (in the
    unit it asks for, beside its topic), or none for the place inside a region the question
    names (兰州市 in a Gansu plan); else None."""
    if not AMOUNT_WORDS.search(query):
        return None
    figures = [ev for ev in chosen if has_figure(ev.sentence)]
    unit = asked_unit(query)
    if unit and unit != "%":
        topic = [t for t in terms if t not in _MONEY and t != unit]
        # an English question's terms are translations of its words, often not the word the
        # clause puts beside its figure (publicized: 公布, where the clause says 公示时间): the
        # sentence must share a term, not the figure's own fragment
        figures = [ev for ev in figures if _states_asked_figure(ev, unit, topic, whole=is_english(query))]
    if unit == "%":  # a share is stated as one (70%, 七成, 一半), not as a count
        figures = [ev for ev in figures if "%" in _units_in(arabic_numerals(ev.sentence)) or "一半" in ev.sentence]
    topic = asked_topic(query)
    if topic:  # the figure must be of the thing asked: 房租补贴, not the clause's 示范企业600家
        figures = [ev for ev in figures if any(t in ev.sentence or t in ev.node.text for t in topic)]
    if not figures:
        return NO_FIGURE
    for place in places:
        short = re.sub(r"(市|州|县|区)$", "", place)
        if not any(short in ev.sentence for ev in figures):
            scope = "、".join(dict.fromkeys(ev.node.metadata.get("region", "") for ev in figures))
            return {k: v.format(place=place, scope=scope) for k, v in NO_BREAKDOWN.items()}
    return None


NOT_A_QUESTION = {
    "zh": "文件未涉及这一问题：这不是关于政策文件的问题（对助手的指令或代码不会被执行）。请就文件内容提问。",
    "en": "The documents don't cover this: it is not a question about the policy documents (instructions to "
          "the assistant and code are not followed). Please ask about what the documents say.",
}
OUTSIDE_PERIOD = {
    "zh": "文件未涉及这一时期：{docs}，没有规定{years}年的内容。以下条款仅供参考。",
    "en": "The documents don't cover that period: {docs}; they set nothing for {years}. "
          "Related clauses are listed below for reference.",
}


def outside_period(analysis, documents, regions: list[str], language: str) -> str:
    """Why the question's years lie outside every plan asked about ("…covers 2016—2020"),
    or "" when a document in scope covers them or states no period (a regulation).
    ``documents``: each document's metadata."""
    if analysis.years is None or not regions:
        return ""
    first, last = analysis.years
    periods: dict[str, str] = {}
    for m in documents:
        if m.get("region") in regions:
            periods.setdefault(m.get("title", ""), m.get("period", ""))
    if not periods or any(not p for p in periods.values()):
        return ""
    for period in periods.values():
        start, end = (int(y) for y in period.split("-"))
        if first <= end and last >= start:
            return ""
    years = f"{first}" if first == last else f"{first}—{last}"
    if language == "en":
        docs = "; ".join(f"{t} covers {p.replace('-', '–')}" for t, p in periods.items())
    else:
        docs = "；".join(f"《{t}》的规划期为{p.replace('-', '—')}年" for t, p in periods.items())
    return OUTSIDE_PERIOD[language].format(docs=docs, years=years)


@dataclass(frozen=True)
class Unknown:
    """The question's concepts no indexed clause mentions, and their share of its content
    concepts by characters (0.0 when it has none)."""
    words: list[str]
    share: float

    @classmethod
    def among(cls, missing: list[str], words: list[str]) -> Unknown:
        total = sum(len(w) for w in words)
        return cls(missing, sum(len(w) for w in missing) / total if total else 0.0)


def unknown_concepts(basis: str, vocabulary: set[str], corpus_text: str | LibraryText, names: set[str]) -> Unknown:
    """The question's content words that appear nowhere in the indexed clauses.

    Content words are jieba's nouns, verbs, adjectives and set phrases (not numerals, measure
    words, particles or place names, which the region check handles). A word is known when it
    is a search token of some clause or occurs in the clause text at all (jieba cuts a question
    differently from a clause).
    """
    import jieba.posseg as pseg

    segmenter()  # quiet jieba before its first use
    words = [p.word for p in pseg.cut(basis.lower())
             if len(p.word) >= 2 and not p.word.isascii() and p.flag.startswith(CONTENT_FLAGS)
             and p.flag not in ("ns", "nr") and p.word not in STOPWORDS and p.word not in names
             and p.word not in QUESTION_WORDS]
    # only established dictionary words can name a concept; jieba's guesses at a question's
    # run-on characters (人能, 分到) are not concepts a document could have stated
    freq = segmenter().dt.FREQ
    missing = [w for w in words if w not in vocabulary and w not in corpus_text
               and (freq.get(w) or 0) >= MIN_WORD_FREQ]
    return Unknown.among(missing, words)


def unknown_english_concepts(groups: list, names: set[str], covered: Callable[[str], bool] = lambda unit: False
                             ) -> Unknown:
    """As unknown_concepts, for an English question: a unit the dictionary translates is
    unknown when none of its translations occurs in any indexed clause (rag.query.english) and
    no clause's English view says it (``covered``: publicized → a view's "public notification").
    Region names are left out, as the region check handles them."""
    known = [g for g in groups if g.translated and g.english not in names]
    return Unknown.among([g.english for g in known if g.absent and not covered(g.english)], [g.english for g in known])


MIN_WORD_FREQ = 10
CONTENT_FLAGS = ("n", "v", "a", "b", "l", "j", "i")
# interrogatives and the asker's own frame words: what a question asks with, not what about
QUESTION_WORDS = set("为什么 哪个 哪些 哪里 哪年 哪一 什么 多少 怎么 怎样 如何 是否 能否 可否 有没有 分别 "
                     "请问 我们 我们是 他们 能够 应该 何时 什么时候".split())


def without_years(text: str) -> str:
    """The text without what states no figure: years, ordinals (2020年, 13th, 第十三) and the
    indefinite article (一个众创空间)."""
    text = re.sub(INDEFINITE_ARTICLE, "", text)
    text = re.sub(rf"\b\d+(?:st|nd|rd|th)\b|第[{CN_DIGITS}\d]+(?![{CN_DIGITS}\d条款项章节])", "", text)
    # a year, not an amount that starts like one (2000万元, 2000 yuan)
    return re.sub(rf"(?<![\d.]){ANY_YEAR}(?:年|(?![\d.万亿元%％个项家名件人]|\s*(?:yuan|rmb|million|billion|%)))",
                  "", text, flags=re.I)
