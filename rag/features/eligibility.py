"""Eligibility: the measures of a region's documents (and of those above it) for an applicant,
each with a verdict an applicant can act on.

The measures come from ingest (rag/extract/measures.py): beneficiary kinds, benefit kinds, amount and
conditions of every sentence that offers an applicant something. The verdict for an applicant
kind compares kinds through their hierarchy, never by substring:

* met — the measure is for the applicant's kind or a kind that includes it (企业 for a
  高新技术企业) and sets no condition;
* needs checking — it is for such a kind but sets a condition (quoted), or it is for a narrower
  kind that the applicant may also be (小微企业 for a 高新技术企业: "only if your firm is a
  小微企业");
* not met — it is only for other kinds (高校 for an enterprise).

Every verdict says the period its plan covers and whether that period has ended.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass

from rag.core.model import work_title
from rag.extract.measures import BENEFITS, KINDS, PROJECTS, lineage, measures_from_json, measures_of
from rag.features.export import csv_table, markdown_table

CATEGORIES = BENEFITS  # benefit kind → (Chinese label, pattern)
CATEGORY_LABELS_EN = {"funding": "funding", "tax": "tax", "loans": "loans and guarantees",
                      "equity": "equity and income share", "awards": "awards", "equipment": "equipment access",
                      "talent": "talent and titles", "platforms": "platforms", "services": "services", "support": "other support"}
STATUSES = ("met", "needs checking", "not met")


@dataclass
class Verdict:
    status: str  # met | needs checking | not met
    reason: str  # one line: why
    category: str  # the first benefit kind (BENEFITS key)
    text: str  # the sentence that states the measure
    condition: str  # the condition quoted ("" when none)
    amount: str  # the benefit's figure ("" when none)
    beneficiaries: str  # the kinds it is for, 、-joined
    label: str  # 《title》clause number
    region: str
    clause_path: str
    period: str  # the plan's period ("2016-2020"; "" for a regulation)
    ended: bool  # the period is over
    field_match: bool = False
    node_id: str = ""  # the chunk that states it


def verdict(beneficiaries: tuple[str, ...], conditions: tuple[str, ...], kind: str) -> tuple[str, str]:
    """(status, reason) of one measure for an applicant kind."""
    mine = lineage(kind)
    condition = "；".join(conditions)
    if not beneficiaries:  # an offer naming no kind (a fund set up, whoever does X)
        return "needs checking", "面向所有符合条件的申请者 · open to any applicant that qualifies"
    if any(b in mine for b in beneficiaries):
        if condition:
            return "needs checking", f"条件：{condition} · condition: check the quoted condition"
        return "met", f"面向{'、'.join(b for b in beneficiaries if b in mine)} · for your kind of applicant"
    if PROJECTS in beneficiaries:
        return "needs checking", "面向符合条件的项目 · for qualifying projects, whoever holds them"
    narrower = [b for b in beneficiaries if b != kind and set(lineage(b)[1:]) & set(mine)]
    if narrower:
        names = "、".join(narrower)
        return "needs checking", f"仅当贵单位属于{names} · only if you are a {names}"
    return "not met", f"仅面向{'、'.join(beneficiaries)} · for other applicants only"


def measures_for(nodes: list, region: str, kind: str, field: str = "", regions: list[str] | None = None,
                 today: dt.date | None = None) -> list[Verdict]:
    """Every measure of the documents for ``region`` (``regions``: the region with the
    documents above it, as the retriever's scope gives them), with its verdict for ``kind``."""
    if kind not in KINDS or kind == PROJECTS:
        raise ValueError(f"unknown applicant kind {kind!r}; one of {', '.join(KINDS)}")
    wanted = set(regions or [region])
    year = (today or dt.date.today()).year
    out: list[Verdict] = []
    seen: set[str] = set()  # the annex often repeats a clause's sentence: list it once
    for node in nodes:
        m = node.metadata
        if m.get("region", "") not in wanted or m.get("kind") not in ("clause", "table_row"):
            continue
        found = measures_from_json(m["measures"]) if "measures" in m else measures_of(node.text, m.get("kind", ""))
        for measure in found:
            if measure.text in seen:
                continue
            seen.add(measure.text)
            status, reason = verdict(measure.beneficiaries, measure.conditions, kind)
            period = m.get("period", "")
            ended = bool(period) and int(period[-4:]) < year
            out.append(Verdict(status, reason, measure.benefits[0], measure.text, "；".join(measure.conditions),
                               measure.amount, "、".join(measure.beneficiaries),
                               f"{work_title(m)}{m.get('clause_number', '')}", m.get("region", ""),
                               m.get("clause_path", ""), period, ended, bool(field) and field in node.text,
                               node.node_id))
    out.sort(key=lambda x: (STATUSES.index(x.status), not x.field_match, list(BENEFITS).index(x.category)))
    return out


def period_note(x: Verdict) -> str:
    if not x.period:
        return "长期有效（条例） · no end date"
    return f"{x.period}（已结束 · ended）" if x.ended else f"{x.period}（有效期内 · in force）"


def to_markdown(measures: list[Verdict], region: str, kind: str) -> str:
    header = ["结论 verdict", "理由 reason", "类别 category", "措施 measure", "条件 condition", "期限 period", "出处 source"]
    rows = [[x.status, x.reason, f"{CATEGORIES[x.category][0]} ({CATEGORY_LABELS_EN[x.category]})", x.text,
             x.condition, period_note(x), x.label] for x in measures]
    return markdown_table(f"{region} · {kind}: 适用措施 / measures", header, rows)


def to_csv(measures: list[Verdict]) -> str:
    fields = list(asdict(measures[0]).keys()) if measures else ["status"]
    return csv_table(fields, [list(asdict(x).values()) for x in measures])


STATUS_ZH = {"met": "符合", "needs checking": "需核实", "not met": "不符合"}


_DIRECT_BENEFITS = ("funding", "tax", "loans", "equity", "awards")  # money or rights, not services


def strongest(verdicts: list[Verdict], terms: list[str], kind: str = "", most: int = 3) -> list[Verdict]:
    """The measures to name in a chat answer: those sharing more of the question's own terms
    first, then met before needs checking, then those naming the applicant's own kind (not only
    a kind above it) and giving money or rights; at most two of one benefit kind."""
    usable = [v for v in verdicts if v.status != "not met"]
    usable.sort(key=lambda v: (-sum(len(t) for t in terms if t in v.text), STATUSES.index(v.status),
                               kind not in v.beneficiaries.split("、"), v.category not in _DIRECT_BENEFITS))
    out, per_kind = [], {}
    for v in usable:
        if per_kind.get(v.category, 0) < 2:
            per_kind[v.category] = per_kind.get(v.category, 0) + 1
            out.append(v)
        if len(out) == most:
            break
    return out


def benefit_phrase(v: Verdict, most: int = 40) -> str:
    """The part of a measure that names its benefit ("运用创业投资、担保补助、贷款贴息等方式")."""
    fragments = [f.strip() for f in re.split(r"[，,；;。]", v.text) if f.strip()]
    pattern = CATEGORIES[v.category][1]
    phrase = next((f for f in fragments if pattern.search(f)), fragments[0] if fragments else v.text)
    return phrase if len(phrase) <= most else phrase[:most] + "…"


def eligibility_answer(chosen: list[Verdict], nodes_by_id: dict, region: str, kind: str, language: str,
                       question: str):
    """A short cited list: the direct line names each measure's benefit and verdict, then each
    measure is quoted with its reason and its plan's period."""
    from rag.core.model import Answer, Citation

    citations, heads, lines = [], [], []
    for v in chosen:
        node = nodes_by_id.get(v.node_id)
        if node is None:
            continue
        citations.append(Citation.of_node(node, len(citations) + 1))
        n = citations[-1].n
        phrase = benefit_phrase(v)
        if language == "en":
            heads.append(f"{CATEGORY_LABELS_EN[v.category]}: {phrase} ({v.status}) [{n}]")
            lines.append(f"{v.label} — “{v.text}” ({v.reason}; {period_note(v)}) [{n}]")
        else:
            heads.append(f"{phrase}（{STATUS_ZH[v.status]}）[{n}]")
            lines.append(f"根据{v.label}：“{v.text}”（{v.reason}；{period_note(v)}）[{n}]")
    if not citations:
        return None
    direct = (f"{region} · {kind}: " + "; ".join(heads)) if language == "en" else f"{region}·{kind}：" + "；".join(heads)
    lead = ("Answer: " if language == "en" else "答：") + direct
    return Answer(lead + "\n" + "\n".join(lines), citations, False, question=question, language=language,
                  short_answer=direct)
