"""English place names through CC-CEDICT: which divisions an English name stands for
(Lanzhou → 兰州, Hunan Province → 湖南省), kept to the names the division table knows.
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from rag.core.dictionary import cached_from_dictionary
from rag.core.vocabulary import ENGLISH_WORD

_ADMIN_SUFFIX = ("省", "市", "州", "县", "区", "自治区")


_PLACE_SENSE = re.compile(r"^([A-Z][a-z]+(?: [A-Z][a-z]+)?),? (?i:province|city|county|prefecture|municipality|"
                          r"autonomous region|district)\b")


@lru_cache(maxsize=1)
def _places() -> dict[str, tuple[str, ...]]:
    return cached_from_dictionary("places-v4", _parse_places)


@lru_cache(maxsize=1)
def place_names() -> frozenset[str]:
    """English names CC-CEDICT gives for places ("Hunan province, abbr. 湘" → hunan)."""
    return frozenset(_places())


def chinese_places(name: str) -> tuple[str, ...]:
    """The divisions an English place name stands for in CC-CEDICT (Lanzhou → 兰州), as the
    division table (rag.places.gazetteer) names them."""
    return _places().get(" ".join(_place_words(name)), ())


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Chinese headwords whose dictionary entry names a division (兰州, 仁寿, 白银)."""
    return frozenset(head for heads in _places().values() for head in heads)


_NAME = re.compile(r"^([A-Z][a-z]+(?: [A-Z][a-z]+)?)(?=$|[ ,(])")


_PLACE_KINDS = ("province", "city", "county", "prefecture", "municipality", "district")


def _parse_places(source: Path) -> dict[str, tuple[str, ...]]:
    from rag.places.gazetteer import is_division

    names: dict[str, list[str]] = {}

    def add(name: str, head: str) -> None:
        heads = names.setdefault(name.lower(), [])
        if is_division(head) and head not in heads:
            heads.append(head)

    with gzip.open(source, mode="rt", encoding="utf-8") as fh:
        for line in fh:
            head = line.split(" ")[1] if line.count(" ") > 1 else ""
            if head.endswith(_ADMIN_SUFFIX) and len(head) >= 3:  # 北京市 → Beijing
                first = line.split("/")[1].strip() if "/" in line else ""
                m = _NAME.match(first)
                if m:
                    add(m.group(1), head)
            if any(kind in line.lower() for kind in _PLACE_KINDS):
                for sense in line.split("/")[1:-1]:
                    m = _PLACE_SENSE.match(sense.strip())
                    if m:
                        add(m.group(1), head)
    return {name: tuple(heads) for name, heads in names.items()}


def _place_words(name: str) -> list[str]:
    words = [re.sub(r"'s$", "", w) for w in ENGLISH_WORD.findall(name.lower())]
    while len(words) > 1 and words[-1] in ("province", "city", "county", "prefecture", "municipality"):
        words.pop()  # "Hunan Province" is Hunan
    return words


def english_place(name: str) -> bool:
    """The dictionary names a place so (Hunan, Shanghai); a capitalised word is not enough."""
    return " ".join(_place_words(name)) in _places()
