"""Where a document belongs, read from its own title and text through the division table.

An official title starts with the place whose rules it states: 舟山市科技创新促进条例 is a city's
(舟山市, inside 浙江省), 上海市浦东新区…规定 a district's (浦东新区, inside 上海市), 上海市…条例
a municipality's (province level). A title that names a zone (中关村国家自主创新示范区条例,
北京经济技术开发区条例) is the zone's; the zone lies in the province-level region its text
names most. A title of the nation (中华人民共和国…, 国务院…) is national and applies everywhere.

Two readings are told apart by how the title writes the place: 上海市经济技术开发区条例 (the
municipality's full name, then the kind of zone) governs every development zone of Shanghai,
while 北京经济技术开发区条例 (the short name joined to the kind) is the name of one zone.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from rag.places.gazetteer import code_of, containing, full_name, provinces
from rag.places.regions import NATIONAL_TITLE

# the kinds of zone a title may name, each ending the zone's name
ZONE_KIND = re.compile(r"(?:国家自主创新示范区|自由贸易试验区|高新技术产业开发区|经济技术开发区|[\u4e00-\u9fff]{0,4}技术开发区|"
                       r"示范区|开发区|试验区|高新区)")
MOST_NAME_CHARS = 12  # the longest division name read at a title's start (阿坝藏族羌族自治州, 广西壮族自治区)


@dataclass(frozen=True)
class Place:
    region: str = ""
    level: str = ""  # national | province | city | county | demonstration_zone | ""
    parent: str = ""  # the nearest division around the region that the table names


def place_of(title: str, text: str = "") -> Place | None:
    """The region, level and parent of a document with this title (``text`` names a zone's
    province); None when the title starts with no place the table knows."""
    if NATIONAL_TITLE.match(title):
        return Place(level="national")
    chain, end, short = _divisions_at_start(title)
    zone = ZONE_KIND.match(title, end) if chain else None
    if chain and zone and short:  # 北京 + 经济技术开发区: one zone's name
        return Place(title[: zone.end()], "demonstration_zone", full_name(chain[-1]))
    if chain and zone is None:
        named = re.match(rf"[\u4e00-\u9fff]{{2,8}}?{ZONE_KIND.pattern}", title[end:])
        if named:  # 上海市 + 漕河泾新兴技术开发区
            return Place(named.group(0), "demonstration_zone", full_name(chain[-1]))
    if chain:
        code = chain[-1]
        parent = full_name(chain[-2]) if len(chain) > 1 else _around(full_name(code))
        return Place(full_name(code), _level(code), parent)
    named = re.match(rf"[\u4e00-\u9fff]{{2,8}}?{ZONE_KIND.pattern}", title)
    if named:  # 中关村国家自主创新示范区: in the province its text names most
        counts = {name: text.count(name) for name in provinces()}
        parent = max(counts, key=counts.get) if any(counts.values()) else ""
        return Place(named.group(0), "demonstration_zone", parent)
    return None


def _divisions_at_start(title: str) -> tuple[list[str], int, bool]:
    """(codes of the divisions the title opens with, outermost first; where they end; whether
    the last was written in its short form)."""
    chain: list[str] = []
    at, short = 0, False
    while True:
        found = None
        for size in range(min(MOST_NAME_CHARS, len(title) - at), 1, -1):
            name = title[at: at + size]
            codes = code_of(name)
            inside = [c for c in codes if not chain or _contains(chain[-1], c)]
            level = title[at + size: at + size + 1]
            if len(inside) > 1 and level:  # 阿坝 + 州: the reading whose name ends so
                inside = [c for c in inside if full_name(c).endswith(level)]
                size += len(inside) == 1
            if len(inside) == 1:
                found = (inside[0], size, full_name(inside[0]) != title[at: at + size])
                break
        if found is None:
            return chain, at, short
        chain.append(found[0])
        at += found[1]
        short = found[2]


def _contains(outer: str, inner: str) -> bool:
    """The division coded ``outer`` holds the one coded ``inner`` (codes share its prefix)."""
    prefix = outer[:2] if _level(outer) == "province" else outer[:4]
    return inner != outer and inner.startswith(prefix)


def _level(code: str) -> str:
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def _around(name: str) -> str:
    readings = containing(name)
    return readings[0][0] if len(readings) == 1 and readings[0] else ""
