"""The administrative divisions of China: which province and city hold a place.

Read from the division-code table (行政区划代码) that the ``cpca`` package ships
(``cpca/resources/adcodes.csv``, 3,500 provinces, cities and counties with their codes). The
file is read directly: importing ``cpca`` itself needs ``pkg_resources``, and nothing else of
it is used. A code's first two digits are its province and its first four its city, so
兰州市 (620100) lies in 甘肃省 (620000) and 仁寿县 (511421) in 眉山市 (511400) and 四川省.
"""
from __future__ import annotations

import csv
import importlib.util
import re
from functools import lru_cache
from pathlib import Path

from rag.core.errors import RagError

# a division's level, and the peoples an autonomous one is named for: 阿坝藏族羌族自治州 → 阿坝
_LEVEL = re.compile(r"(?:特别行政区|自治区|自治州|自治县|地区|省|市|县|区|州|盟|旗)$")


def _resource(name: str) -> Path:
    spec = importlib.util.find_spec("cpca")
    if spec is None or not spec.submodule_search_locations:
        raise RagError("the division table is missing: the 'cpca' package is not installed (run scripts/setup)")
    path = Path(list(spec.submodule_search_locations)[0]) / "resources" / name
    if not path.is_file():
        raise RagError(f"the division table is missing: {path} does not exist (reinstall 'cpca')")
    return path


@lru_cache(maxsize=1)
def _peoples() -> tuple[str, ...]:
    """蒙古族, 回族, 藏族 … longest first."""
    names = _resource("56_nations.csv").read_text(encoding="utf-8").split()
    return tuple(sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True))


def short_name(name: str) -> str:
    """兰州市 → 兰州, 阿坝藏族羌族自治州 → 阿坝; a name that would shrink to one character keeps
    its level (城区)."""
    short = _LEVEL.sub("", name)
    while short.endswith("族"):
        people = next((p for p in _peoples() if short.endswith(p) and len(short) > len(p)), "")
        if not people:
            break
        short = short[: -len(people)]
    return short if len(short) >= 2 else name


@lru_cache(maxsize=1)
def _divisions() -> tuple[dict[str, str], dict[str, list[str]]]:
    """(code → full name, full or short name → codes)."""
    names: dict[str, str] = {}
    codes: dict[str, list[str]] = {}
    with _resource("adcodes.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code, name = row["adcode"][:6], row["name"].strip()
            if not name or name in ("市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"):
                continue
            names[code] = name
            for key in dict.fromkeys((name, short_name(name))):
                codes.setdefault(key, []).append(code)
    return names, codes


def is_division(name: str) -> bool:
    return name in _divisions()[1]


def containing(name: str) -> list[list[str]]:
    """For each division the name may mean, the divisions around it, nearest first
    (仁寿 → [[眉山市, 四川省]]; 朝阳 → one list for 朝阳区 of Beijing, one for 朝阳市 of Liaoning);
    [] for a name that is no division."""
    names, codes = _divisions()
    readings = []
    for code in codes.get(name, []):
        around = [code[:4] + "00", code[:2] + "0000"]
        readings.append([names[c] for c in dict.fromkeys(around) if c != code and c in names])
    return readings


def code_of(name: str) -> list[str]:
    """The division codes a full or short name stands for (兰州 → ["620100"]; [] for no division)."""
    return list(_divisions()[1].get(name, []))


def full_name(code: str) -> str:
    """The table's name of a division code (620100 → 兰州市)."""
    return _divisions()[0].get(code, "")


@lru_cache(maxsize=1)
def provinces() -> tuple[str, ...]:
    """The full names of the province-level divisions (provinces, autonomous regions, the four
    municipalities, the special administrative regions)."""
    names, _ = _divisions()
    return tuple(name for code, name in names.items() if code.endswith("0000"))
