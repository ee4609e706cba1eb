"""The shared vocabulary: every pattern that more than one stage reads text with, defined once.

Each name says what it matches. A stage that needs a variant composes it from these parts
(``rf"^{ITEM_MARKER}"``) instead of writing its own copy, so two stages cannot drift apart:
a qualifier the number check knows is a qualifier the fact reader knows.
"""
from __future__ import annotations

import re

CN_DIGITS = "一二三四五六七八九十"
"""Chinese numerals that number items and clauses (（三）, 十二、)."""

CN_NUMERALS = CN_DIGITS + "百零〇"
"""Chinese numerals of any size as article and chapter numbers are written (第一百零二条)."""

ALL_NUMERALS = CN_NUMERALS + "两千万亿"
"""Every character a Chinese numeral may contain, amounts included (两千万)."""

YEAR = r"20\d\d"
"""A year a plan's target or period names (2000–2099), as digits."""

ANY_YEAR = r"(?:19|20)\d\d"
"""The year of any date a document or question states (laws of the 1990s included)."""

ITEM_MARKER = rf"[（(][{CN_NUMERALS}\d]+[）)]"
"""A parenthesised item number: （一）, (3), （十二）."""

NUMBERED_ITEM = r"\d{1,2}[.．、]"
"""An item numbered with Arabic digits at a line's start: 1. 2．3、"""

COUNTERS = "个项家名次天年月人所件"
"""Measure words a count takes (30个, 几家): what a "how many" question counts."""

HOW_MUCH = rf"多少|几[{COUNTERS}]"
"""Chinese words asking for an amount or a count (多少, 几家)."""

QUALIFIERS_BEFORE = ("力争达到", "不得低于", "不得少于", "至少", "不低于", "不少于", "不超过", "超过", "突破",
                     "力争", "最高", "最多")
"""Words before a figure that change what it means: 至少70% is not 70% (longest first)."""

QUALIFIERS_AFTER = ("以上", "以下", "以内", "左右")
"""Words after a figure that change what it means: 70%以上."""

QUALIFIER_BEFORE = "|".join(QUALIFIERS_BEFORE)
""":data:`QUALIFIERS_BEFORE` as one regular-expression alternation."""

QUALIFIER_AFTER = "|".join(QUALIFIERS_AFTER)
""":data:`QUALIFIERS_AFTER` as one regular-expression alternation."""

SCOPE_WORDS = ("全国", "全省", "全市", "全州", "全区", "全县", "示范区")
"""The area a figure is for, stated before it (全省技术合同交易额…): a plan's own region or
the nation; "" (no scope word) also means the plan's own region."""

SCOPE = "|".join(SCOPE_WORDS)
""":data:`SCOPE_WORDS` as one regular-expression alternation."""

SENTENCE_ENDS = "。；！？"
"""Marks that end a statement in a Chinese clause (the semicolon separates parallel measures)."""

SENTENCE = re.compile(rf"[^{SENTENCE_ENDS}\n]+[{SENTENCE_ENDS}]?")
"""One statement of a clause, its end mark kept; a line break also ends one."""

TIME_SPAN = re.compile(r"(?<![年月\d])\d+\s*(个工作日|工作日|日|天|个月)")
"""A stated length of time in days or months (15日, 30个工作日, 6个月); group 1 is the unit."""

ASKS_HOW_LONG = re.compile(r"多久|多长时间|多少天|几天|几年|几个月|期限|how long|how many (?:years|months|days)",
                           re.I)
"""A question asking how long something lasts or may take."""

ENGLISH_WORD = re.compile(r"[a-z][a-z0-9'\-]*")
"""A lower-cased English word (hyphens and apostrophes inside: state-owned, university's)."""

FRAGMENT_BREAKS = "，,；;。：:"
"""Punctuation that ends a fragment of a sentence (a comma's reach)."""

FRAGMENT = re.compile(rf"[^{FRAGMENT_BREAKS}]+")
"""A stretch of a sentence between commas, semicolons, colons and full stops."""

INDEFINITE_ARTICLE = rf"(?<![{ALL_NUMERALS}\d第])一[个项家名所件位种](?=[\u4e00-\u9fff])"
"""The numeral one with a measure word before a noun: the indefinite article, no figure
(办一个众创空间 is "set up a makerspace", not "one makerspace")."""

CITATION_MARKER = re.compile(r"\[(\d+)\]")
"""A citation marker in an answer ([3]); group 1 is the citation's number."""

HAN = re.compile(r"[\u4e00-\u9fff]")
"""A Chinese character (CJK unified ideographs)."""

LATIN = re.compile(r"[A-Za-z]")
"""A Latin letter."""


def letters(text: str) -> tuple[int, int]:
    """(Chinese characters, Latin letters) in the text."""
    return len(HAN.findall(text)), len(LATIN.findall(text))
