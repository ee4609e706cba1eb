"""The facts of a clause, read by general patterns: figures (with unit, qualifier and scope),
responsible units (the lead first), deadlines, enumerations and table cells.

Built at ingest for every chunk (stored with it, shown by ``rag chunks --json``) and read again
per sentence by the reader, which answers a question by the fact of the kind it asks for.
The patterns are those of Chinese government writing, not of any one document:
至少/不低于/以上/力争/突破/累计/每年 qualify a figure; 全省/全市/全州/示范区/全国 scope it;
"（省科技厅牵头，…）", "责任单位：…（列首位的为牵头单位）" and table 责任部门 columns name units;
"2017年底前", "时间进度" give deadlines; "即：…、…", "包括…", （一）（二）… enumerate.
"""
from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from functools import lru_cache

from rag.core.numbers import arabic_numerals
from rag.core.vocabulary import ANY_YEAR, FRAGMENT, ITEM_MARKER, QUALIFIER_BEFORE, SCOPE, YEAR

# a figure with its qualifier: 至少70%, 70%以上, 200亿元, 1-2项, 15日 (a day count, not the
# day of a date: 1月15日)
FIGURE = re.compile(rf"({QUALIFIER_BEFORE}|达到)?"
                    r"(?<![月\d.])(\d+(?:\.\d+)?(?:[-—～~]\d+(?:\.\d+)?)?)"
                    r"(%|％|亿元|万元|元|家|个工作日|个月|个|项|名|件|人|所|户|年\d+月底|年|日|天)?(以上|左右|以内|前)?")
_RANGE_END = re.compile(r"[、，,]?\d+(?:\.\d+)?(?:%|％|亿元|万元|元|倍|日|天|个月|年)?(?:以下|以内)")
_YEAR = re.compile(rf"^{ANY_YEAR}年$")
_SCOPE = re.compile(rf"{SCOPE}|各市州|各县(?:（市）|\(市\))?")
_PERIOD_WORDS = re.compile(rf"累计|每年|年均|年度|到{YEAR}年|至{YEAR}年|{YEAR}年底?前")

_DEPARTMENT = re.compile(r"(?:[省市州县区]|[\u4e00-\u9fff]{2,4}[省市州县])?[\u4e00-\u9fff]{1,14}?"
                         r"(?:厅|局|委员会|委|办公室|办(?![理法])|管委会|人民政府|政府|部门|中心|协会|银行|分院|科协)")
_UNIT_SERIES = re.compile(r"((?:[\u4e00-\u9fff]{2,12}、)+[\u4e00-\u9fff]{2,12})等(?:有关)?(?:部门|单位)")
_LEAD = re.compile(r"([^（(，,；;：:、]{2,30}?)牵头")
_RESPONSIBLE_UNIT_CELL = re.compile(r"责任(?:部门|单位)[^:：|]*[:：]\s*([^|]+)")
_DATE = re.compile(r"\d{4}年\d{1,2}月(?:底|\d{1,2}日)?(?:前|以前)?|\d{4}年底?前|每年\d{1,2}月\d{1,2}日前|"
                   r"\d+个(?:月|工作日)内|\d+日内|\d{4}年启动|持续推进|\d{4}年")
_ITEM = re.compile(ITEM_MARKER)
_SERIES_OPENER = re.compile(r"即[:：]?|包括|包含|涵盖|依托|通过|采取|采用|主要有|分别为|分别是|如[:：]|[:：]")


@dataclass(frozen=True)
class Figure:
    text: str  # as it reads, with qualifier: 至少70%, 5万元以上10万元以下
    unit: str  # %, 亿元, 家 …
    qualifier: str  # 至少, 以上, 力争 … ("" when none)
    scope: str  # 全省, 全州, 示范区 … the area the figure is for ("" when unstated)
    period: str  # 累计, 每年, 到2020年 … ("" when unstated)
    start: int  # offset in the sentence (after numerals are written as digits)


@dataclass(frozen=True)
class Cell:
    header: str
    value: str


@dataclass
class ClauseFacts:
    figures: list[Figure] = field(default_factory=list)
    units: list[str] = field(default_factory=list)  # responsible units, the lead first, marked （牵头）
    deadlines: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)  # an enumeration's members
    cells: list[Cell] = field(default_factory=list)  # a table row's cells under their headers

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "ClauseFacts":
        data = json.loads(text or "{}")
        return cls([Figure(**f) for f in data.get("figures", [])], data.get("units", []),
                   data.get("deadlines", []), data.get("items", []),
                   [Cell(**c) for c in data.get("cells", [])])


def facts_of(text: str, kind: str = "") -> ClauseFacts:
    """Every fact of a clause (or a sentence): what ingest stores and the reader reads."""
    return _facts(text, kind)


@lru_cache(maxsize=50_000)  # the same sentences are read for question after question
def _facts(text: str, kind: str) -> ClauseFacts:
    written = arabic_numerals(text)
    cells = table_cells(text) if kind == "table_row" else []
    return ClauseFacts(figures(written), departments(text), dates(text), items(text), cells)


def figures(sentence: str) -> list[Figure]:
    """The figures of a sentence (numerals already digits), years left out; a range
    (5万元以上10万元以下) is one figure."""
    out: list[Figure] = []
    covered_to = -1
    for m in FIGURE.finditer(sentence):
        if m.start() < covered_to or not (m.group(3) or m.group(1) or m.group(4)):
            continue
        upper = _RANGE_END.match(sentence, m.end()) if m.group(4) == "以上" else None
        covered_to = upper.end() if upper else m.end()
        text = sentence[m.start():covered_to]
        if _YEAR.match(text):
            continue
        before = sentence[max(0, m.start() - 40):m.start()]
        fragment = FRAGMENT.findall(before)[-1] if FRAGMENT.findall(before) else ""
        scope = _SCOPE.findall(fragment)
        period = _PERIOD_WORDS.findall(before[-20:])
        out.append(Figure(text, m.group(3) or "", m.group(1) or m.group(4) or "",
                          scope[-1] if scope else "", period[-1] if period else "", m.start()))
    return out


def departments(sentence: str) -> list[str]:
    """The units a sentence makes responsible, the lead first (marked)."""
    cell = _RESPONSIBLE_UNIT_CELL.search(sentence)
    if cell:
        units = [u.strip(" 等") for u in re.split(r"[、，,]", cell.group(1)) if u.strip(" 等")]
        return [f"{units[0]}（牵头）"] + units[1:] if units else []
    lead = _LEAD.search(sentence)
    found = list(dict.fromkeys(m.group(0) for m in _DEPARTMENT.finditer(sentence)))
    for series in _UNIT_SERIES.finditer(sentence):  # "市公安、外国专家等部门": each a unit
        named = series.group(1).split("、")
        found = [u for u in found if u != series.group(0) and not u.endswith("等部门")]
        found = list(dict.fromkeys(named + found))
    head = _DEPARTMENT.search(lead.group(1)) if lead else None
    if head:  # "（省教育厅牵头，省科技厅…参与）"; "由企业牵头" names no department
        name = head.group(0)
        return [f"{name}（牵头）"] + [u for u in found if u != name and u not in name][:4]
    return found[:5]


def dates(sentence: str) -> list[str]:
    return list(dict.fromkeys(_DATE.findall(arabic_numerals(sentence))))


def items(sentence: str) -> list[str]:
    """An enumeration's members: numbered items （一）…（二）…, else a 、-series after 即/包括/依托."""
    parts = [p.strip(" ；;。，,") for p in _ITEM.split(sentence)[1:]]
    numbered = [p for p in parts if p]
    if numbered:
        return numbered
    for fragment in re.split(r"[，,；;。]", sentence):
        if "、" not in fragment:
            continue
        opener = list(_SERIES_OPENER.finditer(fragment))
        if opener:
            members = fragment[opener[-1].end():].split("、")
            last = re.sub(r"等.*$", "", members.pop())  # "松潘等园区建设…" ends at 等
            members += re.split(r"和|及", last)  # "…、B和C": both
            members = [m.strip() for m in members if m.strip()]
            if len(members) >= 2:
                return members
    return []


def table_cells(row: str) -> list[Cell]:
    """"序号: 9 | 指标内容: … | 成都市: 400家" → cells under their headers."""
    out = []
    for part in row.split(" | "):
        header, sep, value = part.partition(": ")
        if sep and header.strip() and value.strip():
            out.append(Cell(header.strip(), value.strip()))
    return out


def cells_for_places(cells: list[Cell], question: str) -> list[Cell]:
    """The cells whose header is a place the question names (绵阳市 for "绵阳…"), the short
    form without 市/州/县 counting."""
    out = []
    lowered = question.lower()
    for cell in cells:
        short = re.sub(r"(市|州|县|区)$", "", cell.header)
        if len(short) >= 2 and (short in question or _spelled(short) in lowered):
            out.append(cell)
    return out


@lru_cache(maxsize=2_000)
def _spelled(name: str) -> str:
    """A place's name in pinyin as English writes it (绵阳 → mianyang)."""
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(name)) if re.fullmatch(r"[\u4e00-\u9fff]+", name) else "\0"
