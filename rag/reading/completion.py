"""A chosen sentence made whole before it is quoted: the rest of a clause split for length,
the parallel sentences that continue a list, the items under a lead-in (…如下：（一）…), and the
lead-in of an item.
"""
from __future__ import annotations

import re
from dataclasses import replace

from rag.core.model import Evidence
from rag.core.vocabulary import ITEM_MARKER, NUMBERED_ITEM
from rag.reading.extractive import heading_like, sentences_of


def completed(ev: Evidence, intents: list, parts: list | None = None) -> Evidence:
    """When the question asks who or when and the chosen sentence names the topic but not the
    department or date, add the sentence of the same clause that does (e.g. the clause's
    closing "（省科技厅牵头，…）"), looking in every part of a clause split for length."""
    if ev.subject:
        ev = replace(ev, sentence=f"{ev.subject.rstrip('；;')}……{ev.sentence}", subject="")
    ev = _with_lead_in(_with_items(ev, parts or [ev.node]), parts or [ev.node])
    missing = [p for p in intents if not p.search(ev.sentence)]
    if not missing:
        return ev
    for node in parts or [ev.node]:
        for sentence in sentences_of(node.text, node.metadata.get("kind", "")):
            if sentence != ev.sentence and all(p.search(sentence) for p in missing):
                return replace(ev, sentence=f"{ev.sentence.rstrip('；;')}……{sentence}")
    return ev


PARALLEL_SHARE = 0.8  # a sentence of the same clause covering this share of the best's terms is another item


def with_parallel(ev: Evidence, ranked: list[Evidence]) -> Evidence:
    """For a question asking for a list: the sentences of the chosen clause that say the same
    kind of thing as the chosen one (打造张掖…示范区；…打造甘南…示范区；…打造临夏…), in the
    clause's order, a gap marked ……: the items are spread over them, not all in one."""
    siblings = [e for e in ranked if e.node is ev.node and e.coverage >= ev.coverage * PARALLEL_SHARE
                and (e is ev or not heading_like(e.sentence))]  # a clause's heading restates, lists nothing
    if len(siblings) < 2:
        return ev
    order = sentences_of(ev.node.text, ev.node.metadata.get("kind", ""))
    found = {e.sentence for e in siblings}
    found = {t for t in found if not any(t != other and t in other for other in found)}  # a part of another
    picked = sorted(found, key=lambda t: order.index(t) if t in order else len(order))
    text = picked[0]
    for before, sentence in zip(picked, picked[1:]):
        contiguous = before in order and sentence in order and order.index(sentence) == order.index(before) + 1
        text += sentence if contiguous else "……" + sentence
    subject = "" if ev.subject and ev.subject in text else ev.subject  # the opening is quoted already
    return replace(ev, sentence=text, subject=subject)


_ITEM_LINE = re.compile(rf"^({ITEM_MARKER}|{NUMBERED_ITEM})")


def _with_items(ev: Evidence, parts: list) -> Evidence:
    """A sentence that introduces an enumeration ("…负责下列工作：") is quoted with its items:
    the lead-in alone names what is listed, not the list."""
    if not ev.sentence.rstrip().endswith(("：", ":")):
        return ev
    text = "\n".join(node.text for node in parts)
    after = text[text.find(ev.sentence) + len(ev.sentence):] if ev.sentence in text else ""
    items = []
    for line in after.split("\n"):
        line = line.strip()
        if not line:
            continue
        if not _ITEM_LINE.match(line) or line in items:
            break
        items.append(line)
    return replace(ev, sentence=ev.sentence.rstrip() + "".join(items)) if items else ev


def _with_lead_in(ev: Evidence, parts: list) -> Evidence:
    """An item of an enumeration ("（三）…的，…提取不低于百分之五") is quoted after the sentence
    that introduces it ("…按照下列标准…给予奖励和报酬："): alone it does not say what it is."""
    if not _ITEM_LINE.match(ev.sentence):
        return ev
    text = "\n".join(node.text for node in parts)
    at = text.find(ev.sentence)
    if at < 0:
        return ev
    for line in reversed(text[:at].split("\n")):
        line = line.strip()
        if line and not _ITEM_LINE.match(line):
            if line.endswith(("：", ":")):
                lead = line.split("。")[-1] if "。" in line else line
                return replace(ev, sentence=f"{lead}……{ev.sentence}")
            break
    return ev
