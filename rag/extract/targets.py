"""Targets a plan sets, read at ingest from every clause and table row: what is counted (the
topic), the figure with its unit and qualifier, the area it is for and its period.

A target is a count or an amount a plan aims at (培育高新技术企业90家以上, 技术合同年交易额达到200
亿元), not a benefit (给予10万元奖励) nor a share of income (70%): shares and money given to
someone are measures (rag.extract.measures). The topic is the noun phrase before the figure with its
verb, scope word and qualifier taken off (全市高新技术企业达到 → 高新技术企业), or, when nothing
is left (转化1000项左右重大科技成果), the noun after it. The area is the scope word (全省, 全市,
示范区; 每个贫困村 for a figure per unit), "" when the plan's own region is meant; the period
is the year a target is for (到2020年, 2020年12月底前, a table row's deadline), ``annual``
(每年) or ``cumulative`` (累计), "" when unstated (the plan's period).
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, replace

from rag.core.numbers import arabic_numerals
from rag.core.vocabulary import QUALIFIER_BEFORE, SCOPE, YEAR
from rag.extract.facts import figures

# units a count or an amount aimed at takes (shares and durations are not targets)
_COUNTED = ("亿元", "万元", "家", "个", "项", "名", "件", "人", "所", "户")
_GIVEN_BEFORE = re.compile(r"(?:给予|奖励|补助|资助|补贴|最高|不超过|一次性)[^，。；]{0,6}$")
_VERB = re.compile(r"^(?:重点|大力|积极|加快|力争|努力|新|实施|培育建成|遴选|选取|创建|评选|培育|建成|建设|打造|培养|推广应用|推广|引进|转化|开发|组织|新增|认定|选派|"
                   r"支持|扶持|发展|形成|建立|设立|布局|开展|聚集)+")
_TAIL = re.compile(rf"(?:{QUALIFIER_BEFORE}|达到|有|为|约|共|累计|要|将|新增)+$")
_SCOPE = re.compile(rf"^(?:{SCOPE}|每个[\u4e00-\u9fff]{{1,4}}?[村县市区镇户])")
_YEAR = re.compile(rf"(?:到|至)?({YEAR})年(?:\d{{1,2}}月)?底?前?")
_DELIMITERS = "，,；;。：:、|"
_ENDS_IN_VERB = re.compile(r"(?:建设|建成|培育|孵化|聚集|实施|选派|遴选|选取|引进|培养|打造|转化|开发|推广|有|和|及|与|等)$")
_NOUN_AFTER = re.compile(r"^(?:以上|左右|以内)?([\u4e00-\u9fff]{2,24})")
_DEADLINE_CELL = re.compile(r"(?:时间进度|时间安排|完成时限|进度安排)[^|]*?[:：]\s*([^|]*)")
# a breakdown column: an area's name as header (成都市: 600家; 绵阳市: /)
_AREA_CELL = re.compile(r"^\s*([\u4e00-\u9fff]{1,8}(?:省|市|州|县|区|盟|旗))\s*[:：]\s*(.*?)\s*$")


@dataclass(frozen=True)
class Target:
    topic: str  # 高新技术企业, 技术合同年交易额
    figure: str  # 90家, 200亿元 (the number and unit)
    qualifier: str  # 以上, 突破, 左右, 至少 ("" when none)
    scope: str  # 全省, 全市, 示范区, 每个贫困村 ("" when unstated: the plan's region)
    period: str  # 2020, annual, cumulative ("" when unstated)
    # a breakdown table row's areas with their figures ("" where the cell gives none: /)
    areas: tuple[tuple[str, str], ...] = ()


def targets_of(text: str, kind: str = "") -> list[Target]:
    """Every target of a clause or table row."""
    written = arabic_numerals(text)
    deadline, areas = "", ()
    if kind == "table_row":
        cell = _DEADLINE_CELL.search(written)
        year = _YEAR.search(cell.group(1)) if cell else None
        deadline = year.group(1) if year else ""
        cells = [c for c in written.split(" | ") if not _DEADLINE_CELL.match(c) and "责任" not in c]
        areas = _areas(cells)
        written = " | ".join(c for c in cells if not (areas and _AREA_CELL.match(c)))
    out: list[Target] = []
    previous_end, previous_scope = 0, ""
    for f in figures(written):
        before = written[:f.start]
        counted = f.unit in _COUNTED and not _GIVEN_BEFORE.search(before) and not before.endswith(("“", "《", "\""))
        piece = _last_piece(before)
        # a piece starts after the figure before it (1名科技特派员和2户… : 2户's piece is 科技特派员和)
        continued = bool(previous_end) and f.start - previous_end < len(piece)
        piece = piece[len(piece) - (f.start - previous_end):] if continued else piece
        previous_end = f.start + len(f.text)
        if not counted:
            continue  # a share, a duration, a benefit given, or a name in quotes (“千人计划”)
        scope_m = _SCOPE.match(piece.strip())
        # a figure continuing the previous one's piece shares its area (每个贫困村1名…和2户…)
        scope = scope_m.group(0) if scope_m else (previous_scope if continued else "")
        topic = _TAIL.sub("", _VERB.sub("", piece.strip()[len(scope):].strip()))
        topic = re.sub(r"^(?:其中|并|和|及|同时)", "", topic).strip()
        topic = _VERB.sub("", topic)
        if len(topic) < 2 or _ENDS_IN_VERB.search(piece):  # 每年选派1000名科技人员: the noun after
            after = _NOUN_AFTER.match(written[f.start + len(f.text):])
            topic = after.group(1) if after else ""
        if len(topic) < 2:
            continue
        previous_scope = scope
        out.append(Target(topic, _bare(f.text, f.unit), f.qualifier, scope, _period(before, deadline)))
    if areas and out:  # the row's breakdown is of its first (in such tables: its only) target
        out[0] = replace(out[0], areas=areas)
    return out


def _areas(cells: list[str]) -> tuple[tuple[str, str], ...]:
    """The area columns of a breakdown row, when at least two cells are headed by an area name
    and hold a figure or nothing (/)."""
    found = []
    for cell in cells:
        m = _AREA_CELL.match(cell)
        if m:
            value = m.group(2)
            given = [f for f in figures(value) if f.unit in _COUNTED]
            if given or re.fullmatch(r"[/／\-—无]*", value):
                found.append((m.group(1), _bare(given[0].text, given[0].unit) if given else ""))
    return tuple(found) if len(found) >= 2 else ()


def _last_piece(before: str) -> str:
    """The text after the last delimiter outside brackets (省级以上科技企业孵化器（大学科技园、众创
    空间） is one piece)."""
    depth = 0
    for i in range(len(before) - 1, -1, -1):
        ch = before[i]
        if ch in "）)":
            depth += 1
        elif ch in "（(":
            depth -= 1
        elif depth <= 0 and ch in _DELIMITERS:
            return before[i + 1:]
    return before


def _bare(text: str, unit: str) -> str:
    number = re.search(r"\d+(?:\.\d+)?(?:[-—～~]\d+(?:\.\d+)?)?", text)
    return (number.group(0) if number else text) + unit


def _period(before: str, deadline: str) -> str:
    recent = before[-30:]
    if "累计" in recent:
        return "cumulative"
    if re.search(r"每年|年均", recent):
        return "annual"
    years = _YEAR.findall(before)
    return years[-1] if years else deadline


def targets_json(text: str, kind: str = "") -> str:
    return json.dumps([asdict(t) for t in targets_of(text, kind)], ensure_ascii=False, separators=(",", ":"))
