"""Cross-region comparison: one topic, every region, the cited value or "not stated"."""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.cite import numbers_in
from rag.generate import key_figure

QUANTITY_TOPIC = re.compile(r"目标|比例|额|数量|多少|几|how (much|many)|target|share|rate", re.I)
NOT_STATED = "未提及 (not stated)"


@dataclass
class Row:
    region: str
    value: str
    statement: str
    label: str
    clause_text: str


def compare_topic(topic: str, regions: list[str], ask) -> list[Row]:
    """``ask(question, region)`` → rag.cite.Answer. A region whose documents do not answer the
    topic is "not stated", never filled from another region."""
    from rag.retrieve import tokenize

    terms = [t for t in tokenize(topic) if len(t) > 1]
    rows = []
    for region in regions:
        answer = ask(topic, region)
        mine = [c for c in answer.citations if c.region == region]
        if answer.abstained or not mine:
            rows.append(Row(region, NOT_STATED, "", "", ""))
            continue
        line = next((l for l in answer.text.split("\n") if f"[{mine[0].n}]" in l), answer.text)
        quoted = line.split("“", 1)[-1].rsplit("”", 1)[0] if "“" in line else line
        fragment = best_fragment(quoted, terms, figures=bool(QUANTITY_TOPIC.search(topic)))
        if fragment and topic_coverage(topic, terms, fragment) < MIN_TOPIC_COVERAGE:
            fragment = ""  # the figure is about something else (示范区2个 for an income share)
        value = key_figure(fragment, terms) if fragment and numbers_in(fragment) else None
        if not value and QUANTITY_TOPIC.search(topic):
            rows.append(Row(region, NOT_STATED, "", "", ""))  # a figure is asked for; none is given
            continue
        rows.append(Row(region, value or fragment, fragment or quoted, mine[0].label, mine[0].text))
    return rows


MIN_TOPIC_COVERAGE = 0.3


def topic_coverage(topic: str, terms: list[str], fragment: str) -> float:
    """Share of the topic's characters whose terms the fragment contains."""
    from rag.generate import term_spans

    spans = term_spans(topic, terms)
    total = set().union(*spans.values()) if spans else set()
    covered = set().union(*(c for t, c in spans.items() if t in fragment)) if spans else set()
    return len(covered) / max(1, len(total))


def _split_outside_brackets(sentence: str) -> list[str]:
    """Parts between ，；、| (and colons), not splitting inside （…）: 孵化器（大学科技园、众创空间）100个
    stays one part."""
    parts, current, depth = [], "", 0
    for ch in sentence:
        depth += ch in "（("
        depth -= ch in "）)" and depth > 0
        if depth == 0 and ch in "，,|；;、：":
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    return [p for p in parts if p]


def best_fragment(sentence: str, terms: list[str], figures: bool = False) -> str:
    """The comma-separated part of a sentence that carries most of the topic's terms; with
    ``figures``, among the parts that state a figure and share a term with the topic ("" if none)."""
    parts = _split_outside_brackets(sentence) or [sentence]
    if figures:
        parts = [p for p in parts if numbers_in(re.sub(r"(19|20)\d\d年(\d{1,2}月)?(\d{1,2}日)?", "", p))
                 and any(t in p for t in terms)]
        if not parts:
            return ""
    return max(parts, key=lambda p: (sum(len(t) for t in terms if t in p), -len(p)))
