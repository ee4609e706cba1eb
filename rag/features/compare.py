"""Cross-region comparison: one topic, every region, the figure each plan sets for itself.

Read from what ingest extracted, never re-parsed from a chat answer: the targets of every clause
and table row (rag.extract.targets: topic, figure, qualifier, area, period, a breakdown table's areas)
and the amounts of the measures (rag.extract.measures: 不低于70%, 最高50万元). A typed topic, Chinese or
English (bridged to the corpus's Chinese terms by the retriever's dictionary bridge), is matched
to those topics by shared character pairs. A region's row holds its own figure; a figure for
another area (全省 in a zone's plan, 每个贫困村) is never put in its row: the cell is "未提及"
with the nearest figure noted as another area's. A figure over the whole plan (累计) or per year
(每年) says so in its period. A zone's table that breaks a target down by city gives each city
its own row.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

from rag.core.model import Citation
from rag.features.export import csv_table, markdown_table, printable_page

NOT_STATED = "未提及 (not stated)"
# the scope words that mean the plan's own region, by the region's level
_OWN = {"province": ("全省",), "city": ("全市",), "prefecture": ("全州",), "county": ("全县",),
        "district": ("全区",), "demonstration_zone": ("示范区",), "national": ("全国",)}
# words of a typed topic that say "a comparison" or "a figure", not what is counted
_GENERIC = re.compile(r"目标值?|指标|数量|数目|规模|分别|是多少|多少|各地区?|各省|对比|比较|情况|的|compare|targets?|"
                      r"number of|how many|how much|amount of", re.I)
MIN_MATCH = 0.5  # share of the topic's character pairs a target's topic must share (Dice)
MIN_COVERED = 0.6  # share of the topic's character pairs a measure's sentence must contain
CONTAINED = 0.8  # the score of a topic part found whole in a target's topic
PERIOD_LABELS = {"annual": "每年 (annual)", "cumulative": "累计 (cumulative over the plan)"}
COLUMNS = ["地区 Region", "范围 Area", "指标 Topic", "目标值 Figure", "时期 Period", "说明 Note", "出处 Source"]


@dataclass(frozen=True)
class Entry:
    """One figure a document states: a target, or the amount of a measure."""
    region: str
    topic: str
    figure: str
    qualifier: str
    scope: str
    period: str
    areas: tuple[tuple[str, str], ...]
    own: bool  # the figure is for the document's own region
    measure: bool  # the amount of a measure (topic: its sentence), not a target
    label: str  # 《title》clause number
    doc_id: str
    clause_path: str
    plan_period: str  # the document's period (2016—2020年)


@dataclass(frozen=True)
class Row:
    region: str
    area: str  # the region, or a city of its breakdown table
    topic: str
    figure: str  # qualifier and figure (突破700亿元), or NOT_STATED
    period: str
    note: str
    label: str
    doc_id: str = ""
    clause_path: str = ""

    def as_dict(self) -> dict:
        return {"region": self.region, "area": self.area, "topic": self.topic, "figure": self.figure,
                "period": self.period, "note": self.note, "source": self.label, "doc_id": self.doc_id,
                "clause_path": self.clause_path}

    def cells(self) -> list[str]:
        return [self.region, self.area, self.topic, self.figure, self.period, self.note, self.label]


def entries_of(nodes) -> list[Entry]:
    """Every figure of the indexed clauses (chunk metadata "targets" and "measures")."""
    out = []
    for node in nodes:
        m = node.metadata
        region, level = m.get("region", ""), m.get("level", "")
        common = dict(region=region, label=Citation.of_node(node, 0).label, doc_id=m.get("doc_id", ""),
                      clause_path=m.get("clause_path", ""), plan_period=m.get("period", ""))
        for t in json.loads(m.get("targets") or "[]"):
            scope = t.get("scope", "")
            out.append(Entry(topic=t["topic"], figure=t["figure"], qualifier=t.get("qualifier", ""), scope=scope,
                             period=t.get("period", ""), areas=tuple(tuple(a) for a in t.get("areas", ())),
                             own=not scope or scope in _OWN.get(level, ()), measure=False, **common))
        for x in json.loads(m.get("measures") or "[]"):
            if x.get("amount"):
                out.append(Entry(topic=x["text"], figure=x["amount"], qualifier="", scope="", period="",
                                 areas=(), own=True, measure=True, **common))
    return out


def topic_terms(topic: str, bridge=None) -> list[str]:
    """What the typed topic counts: its parts (众创空间/孵化器 is two), generic words taken off;
    an English topic as the Chinese terms the bridge gives its words."""
    if bridge is not None and not re.search(r"[\u4e00-\u9fff]", topic):
        groups = [[t for t in g.chinese if len(t) > 1] for g in bridge.groups(_GENERIC.sub(" ", topic))]
        # two words' terms the corpus writes as one compound (high-tech + enterprises: 高新技术企业)
        # stand for both words
        joined, used = [], set()
        for i in range(len(groups) - 1):
            found = [a + b for a in groups[i] for b in groups[i + 1] if bridge.in_corpus(a + b)]
            joined += found
            used |= {i, i + 1} if found else set()
        terms = joined + [t for i, g in enumerate(groups) if i not in used for t in g]
    else:
        terms = [p for p in re.split(r"[/／、,，;；和与及或]|\s+", _GENERIC.sub(" ", topic)) if len(p) > 1]
    # a term inside a longer one is not a topic of its own (企业 beside 高新技术企业)
    return [t for t in terms if not any(t != u and t in u for u in terms)]


def _pairs(text: str) -> set[str]:
    text = re.sub(r"[^\u4e00-\u9fff]", " ", text)
    return {text[i:i + 2] for i in range(len(text) - 1) if " " not in text[i:i + 2]}


def match(terms: list[str], entry: Entry) -> float:
    """How well an entry's topic matches the typed topic, by its best part: for a target the
    Dice share of character pairs (a part of three characters or more found whole in the
    target's topic counts as CONTAINED: 孵化器 in 科技企业孵化器（大学科技园、众创空间）; otherwise
    the two must end alike, a phrase's head being its end); for a
    measure's sentence the share of the part's pairs it contains, for parts of four characters
    or more. One shared pair is never a match (企业 and 孵化企业)."""
    theirs = _pairs(entry.topic)
    best = 0.0
    for term in terms:
        mine = _pairs(term)
        shared = len(mine & theirs)
        if not mine or (shared < 2 and term != entry.topic):
            continue
        if entry.measure:
            score = shared / len(mine) if len(term) >= 4 else 0.0
            best = max(best, score if score >= MIN_COVERED else 0.0)
            continue
        # the head of a Chinese noun phrase is its end: 技术转移人才 is not 技术转移中心
        same_head = _pairs(term[-2:]) <= theirs or _pairs(entry.topic[-2:]) <= mine
        score = 2 * shared / (len(mine) + len(theirs)) if same_head else 0.0
        if len(term) >= 3 and term in entry.topic:
            score = max(score, CONTAINED)
        best = max(best, score if score >= MIN_MATCH else 0.0)
    return best


def compare(topic: str, regions: list[str], nodes, bridge=None) -> list[Row]:
    """One row per region (and per city of a breakdown), in the order of ``regions``."""
    terms = topic_terms(topic, bridge)
    if not terms:
        raise ValueError(f"the topic {topic!r} names nothing to compare; type what is counted, e.g. 技术合同交易额")
    scored = [(match(terms, e), e) for e in entries_of(nodes)]
    rows: list[Row] = []
    for region in regions:
        mine = sorted(((s, e) for s, e in scored if s > 0 and e.region == region),
                      key=lambda se: (-se[0], not se[1].areas, se[1].label))
        own = [e for s, e in mine if e.own]
        other = [e for s, e in mine if not e.own]
        if own:
            rows.extend(_rows(region, own[0]))
        elif other:
            e = other[0]
            rows.append(Row(region, region, e.topic, NOT_STATED, "",
                            f"最接近的是{e.scope}的{_figure(e)}，不是{region}自身的指标 · nearest: "
                            f"{_figure(e)} for {e.scope}, another area", e.label, e.doc_id, e.clause_path))
        else:
            rows.append(Row(region, region, "", NOT_STATED, "", "文件未规定 · the documents set no figure for it", ""))
    return rows


def _rows(region: str, e: Entry) -> list[Row]:
    period = _period(e)
    rows = [Row(region, region, e.topic, _figure(e), period, _note(e), e.label, e.doc_id, e.clause_path)]
    for area, figure in e.areas:
        rows.append(Row(region, area, e.topic, figure or NOT_STATED, period,
                        f"{region}指标的分解 · {region}'s figure broken down" if figure else "分解表中为空 · blank in the table",
                        e.label, e.doc_id, e.clause_path))
    return rows


def _figure(e: Entry) -> str:
    """突破700亿元, 100家以上: a qualifier that follows the number stays after it."""
    if e.qualifier in ("以上", "左右", "以内", "以下") and not e.figure.endswith(e.qualifier):
        return e.figure + e.qualifier
    return e.qualifier + e.figure if not e.figure.startswith(e.qualifier) else e.figure


def _period(e: Entry) -> str:
    if e.period in PERIOD_LABELS:
        return PERIOD_LABELS[e.period] + (f" {e.plan_period}" if e.period == "cumulative" and e.plan_period else "")
    if e.period:
        return f"到{e.period}年 (by {e.period})"
    return f"规划期 {e.plan_period}" if e.plan_period else ""


def _note(e: Entry) -> str:
    if e.period == "cumulative":
        return "规划期累计，不宜与年度指标直接比较 · a total over the plan, not a yearly figure"
    if e.period == "annual":
        return "每年的指标 · a yearly figure"
    return ""


def to_markdown(topic: str, rows: list[Row]) -> str:
    return markdown_table(f"{topic} · 地区对比 / comparison", COLUMNS, [r.cells() for r in rows])


def to_csv(rows: list[Row]) -> str:
    return csv_table(COLUMNS, [r.cells() for r in rows])


def to_html(topic: str, rows: list[Row]) -> str:
    return printable_page(f"{topic} · 地区对比 / comparison", COLUMNS, [r.cells() for r in rows])
