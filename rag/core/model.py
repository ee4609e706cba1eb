"""Citations and the number check.

Every number, percentage, amount and date an answer states must appear in a clause it cites,
after normalising the forms (70% = 百分之七十 = 70％, 200 亿元 = 200亿元, 一千 = 1000).
A sentence that fails is dropped and the answer is flagged.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

_NUMBER = re.compile(r"\d+(?:\.\d+)?%?")  # 30% and 30 are different claims


@dataclass
class Citation:
    n: int
    doc_id: str
    title: str
    region: str
    clause_path: str
    clause_number: str
    text: str

    @classmethod
    def of_node(cls, node, n: int) -> "Citation":
        """The citation of a retrieved clause (a llama-index node with our chunk metadata)."""
        m = node.metadata
        return cls(n=n, doc_id=m.get("doc_id", ""), title=m.get("title", ""), region=m.get("region", ""),
                   clause_path=m.get("clause_path", ""), clause_number=m.get("clause_number", ""),
                   text=node.text)

    @property
    def label(self) -> str:
        """How a person finds the clause in the paper document: 《title》四、（五）1."""
        return f"《{self.title}》{self.clause_number}".strip()

    def as_dict(self) -> dict:
        return {"n": self.n, "doc_id": self.doc_id, "title": self.title, "region": self.region,
                "clause_path": self.clause_path, "clause_number": self.clause_number,
                "label": self.label, "text": self.text}


@dataclass
class Answer:
    text: str
    citations: list[Citation] = field(default_factory=list)
    abstained: bool = False
    related: list[Citation] = field(default_factory=list)  # shown, not cited (abstention)
    flagged: list[str] = field(default_factory=list)  # sentences dropped by the number check
    question: str = ""
    language: str = "zh"
    latency_ms: float | None = None  # set by rag.pipeline.answer
    coverage: float | None = None  # share of the question the best sentence covers (abstention signal)
    short_answer: str = ""  # the direct answer (figure, department, date, items) with its [n]

    def as_dict(self) -> dict:
        """The record `rag ask --json`, the batch interface and the /ask endpoint share."""
        record = {"question": self.question, "answer": self.text, "short_answer": self.short_answer or (
                      self.text.split("\n")[0] if self.abstained or not self.citations else ""),
                  "abstained": self.abstained,
                  "language": self.language, "citations": [c.as_dict() for c in self.citations],
                  "related": [c.as_dict() for c in self.related], "flagged": self.flagged}
        if self.latency_ms is not None:
            record["latency_ms"] = round(self.latency_ms, 1)
        if self.coverage is not None:
            record["coverage"] = round(self.coverage, 3)
        return record


# a Chinese numeral of one character counts as a number only before a measure word: 三年, 五家,
# but not 一批, 一系列, 一定, 统一 (cn2an would read them all as 1)
_MEASURE = "个项家名人年月日天次件所倍成万亿元岁条款章节期届"
_LONE_NUMERAL = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿\d之第])([一二两三四五六七八九十])(?![零〇一二两三四五六七八九十百千万亿\d])")
_PLACEHOLDER = {ch: chr(0xE000 + i) for i, ch in enumerate("一二两三四五六七八九十")}
_RESTORE = {v: k for k, v in _PLACEHOLDER.items()}
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000, "万": 10000}
_BARE_UNIT = re.compile(r"(?<![零〇一二两三四五六七八九十百千万亿\d.])([百千万])([个项家名人件所])")
_SCALE = re.compile(r"(\d+(?:\.\d+)?)\s*(万|亿)")


@lru_cache(maxsize=50_000)  # the same clause sentences are read for question after question
def arabic_numerals(text: str) -> str:
    """Chinese numerals as digits, through cn2an (the maintained library): 二〇二〇年 → 2020年,
    百分之七十 → 70%, 十五日 → 15日, 第十八条 → 第18条; idioms stay words (千方百计, 一批)."""
    import warnings

    import cn2an

    text = text.translate(str.maketrans("０１２３４５６７８９％．", "0123456789%."))
    # a lone numeral before a non-measure word is a word (一批), protected from the converter
    text = _LONE_NUMERAL.sub(lambda m: m.group(1) if text[m.end():m.end() + 1] and text[m.end()] in _MEASURE
                             else _PLACEHOLDER[m.group(1)], text)
    with warnings.catch_warnings():  # cn2an warns about every unit character it leaves alone
        warnings.simplefilter("ignore")
        try:
            text = cn2an.transform(text, "cn2an")
        except (ValueError, KeyError):  # a form cn2an does not parse stays as written
            pass
    text = "".join(_RESTORE.get(ch, ch) for ch in text)
    # a bare unit before a measure word is a round figure: 千名 = 1000名, 百家 = 100家
    text = _BARE_UNIT.sub(lambda m: str(_UNIT_VALUE[m.group(1)]) + m.group(2), text)
    text = re.sub(r"(\d)成(?![员为功果立本]|不变)", lambda m: f"{m.group(1)}0%", text)  # 七成 → 70%
    # written the way the documents write figures: 五万元 → 5万元, not 50000元
    return _ROUND.sub(lambda m: m.group(1) + ("万" if m.group(2) == "0000" else "亿"), text)


_ROUND = re.compile(r"(?<![\d.])([1-9]\d*?)(0000|00000000)(?=元|人|家|个|项|名|件|所)")


@lru_cache(maxsize=50_000)
def normalise_numbers(text: str) -> str:
    """One spelling for comparing numbers: digits (arabic_numerals), 万 and 亿 multiplied out
    (两千万元 = 2000万元 = 20000000元; 1.5亿 = 15000万), no inner spaces or thousands commas."""
    text = arabic_numerals(text)
    text = re.sub(r"(\d)\s+(?=[\d%亿万千百元个家项名件年月日])", r"\1", text)
    text = re.sub(r"(\d),(?=\d{3})", r"\1", text)
    return _SCALE.sub(lambda m: _times(m.group(1), 10_000 if m.group(2) == "万" else 100_000_000), text)


def _times(number: str, scale: int) -> str:
    value = float(number) * scale
    return str(int(value)) if value == int(value) else f"{value:g}"


def numbers_in(text: str) -> list[str]:
    return _NUMBER.findall(normalise_numbers(text))


def unsupported_numbers(sentence: str, sources: list[str]) -> list[str]:
    """Numbers in ``sentence`` that none of ``sources`` contains (after normalising)."""
    source_numbers = set()
    for s in sources:
        source_numbers.update(numbers_in(s))
    return [n for n in numbers_in(sentence) if n not in source_numbers]


_MARKER = re.compile(r"\[(\d+)\]")
# "Article 18 (第十八条)" naming a cited clause (its 第十八条 already removed) is no figure to check
_CLAUSE_REFERENCE = re.compile(r"\bArticle \d+ \(\)")


def check_answer(answer: Answer) -> Answer:
    """Drop sentences whose numbers are not in the clauses they cite (or cite nothing valid)."""
    by_n = {c.n: c for c in answer.citations}
    kept, flagged = [], list(answer.flagged)
    for sentence in split_sentences(answer.text):
        cited = [by_n[int(n)] for n in _MARKER.findall(sentence) if int(n) in by_n]
        bare = _MARKER.sub("", sentence)
        for c in answer.citations:  # the clause label itself ("…（2016—2020年）》四、（五）1") is no claim
            bare = bare.replace(c.label, "")
            if c.clause_number:
                bare = bare.replace(c.clause_number, "")
        bare = _CLAUSE_REFERENCE.sub("", bare)
        if numbers_in(bare) and (not cited or unsupported_numbers(bare, [c.text for c in cited])):
            flagged.append(sentence)
            continue
        kept.append(sentence)
    answer.text = "".join(kept).strip()
    answer.flagged = flagged
    return answer


# qualifiers that change what a figure means: 至少70% is not 70%
_QUALIFIED = re.compile(r"(至少|不低于|不少于|不超过|超过|突破|力争达到|力争|最高|最多)\s*(\d+(?:\.\d+)?%?)|"
                        r"(\d+(?:\.\d+)?%?)\s*[^\d\s，。；,]{0,2}?(以上|以下|以内|左右)")
_QUALIFIER_WORDS = re.compile(r"至少|不低于|不少于|不超过|超过|突破|力争|最高|最多|以上|以下|以内|左右|"
                              r"at least|or more|more than|no less than|no more than|not less|not more|"
                              r"over|above|below|up to|about|around|approximately|exceed|maximum|minimum|aim", re.I)


def restore_qualifiers(answer: Answer) -> Answer:
    """A statement that gives a figure without the qualifier its cited clause attaches to it
    (70% where the clause says 至少70%) gets the clause's own wording added: （原文：至少70%）."""
    by_n = {c.n: c for c in answer.citations}
    lines = []
    for line in answer.text.split("\n"):
        cited = [by_n[int(n)] for n in _MARKER.findall(line) if int(n) in by_n]
        bare = _MARKER.sub("", line)
        if cited and not _QUALIFIER_WORDS.search(bare):
            stated = set(numbers_in(bare))
            source = []
            for c in cited:
                for m in _QUALIFIED.finditer(normalise_numbers(c.text)):
                    number = m.group(2) or m.group(3)
                    if number in stated and m.group(0) not in source:
                        source.append(m.group(0))
            if source:
                note = ("（原文：{}）" if answer.language == "zh" else " (source: {})").format("；".join(source))
                line = line + note
        lines.append(line)
    answer.text = "\n".join(lines)
    return answer


def split_sentences(text: str) -> list[str]:
    """Statements: one a line (the generators write one cited statement per line)."""
    return [line + "\n" for line in text.split("\n") if line.strip()]
