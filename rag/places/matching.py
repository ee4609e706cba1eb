"""The places a question names: the catalog's regions and aliases (longest first, Chinese or
English), places inside a covered region by the division table (兰州 → 甘肃省), and place names
the corpus does not cover, so the answerer can say so instead of answering from another
region's text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from rag.core.words import STOPWORDS, segmenter
from rag.places.english_names import chinese_places, english_place, place_words
from rag.places.gazetteer import containing, short_name


@dataclass
class RegionMatch:
    regions: list[str] = field(default_factory=list)  # canonical regions named, in order
    unknown_places: list[str] = field(default_factory=list)  # places named that the corpus lacks
    # administrative places named that are no region of the corpus (兰州市 beside 甘肃): a figure
    # for them must be stated for them, not for the region around them
    places: list[str] = field(default_factory=list)


def match_regions(question: str, groups: dict[str, list[str]], vocabulary: set[str] = frozenset()) -> RegionMatch:
    """Regions a question names, through the catalog's names and aliases (longest first)."""
    lowered = question.lower()
    found: list[tuple[int, list[str]]] = []
    taken = [False] * len(lowered)
    words = _word_starts(lowered)
    for name in sorted(groups, key=len, reverse=True):
        pattern = re.escape(name)
        if name.isascii():
            pattern = rf"(?<![a-z]){pattern}(?![a-z])"
        for m in re.finditer(pattern, lowered):
            if any(taken[m.start():m.end()]):
                continue
            if len(name) == 1 and words.get(m.start()) != name:
                continue  # a one-character abbreviation (赣) counts only as a word, not inside 赣州
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
            found.append((m.start(), groups[name]))
    inside = _places_inside(question, taken, groups)
    for start, end, _, region in inside:
        taken[start:end] = [True] * (end - start)
        found.append((start, [region]))
    # a name that stands for several regions (四川 for its cities) beside one of them (四川省
    # 阿坝州, "Sichuan … Aba") says where that one is, not that all are asked about
    named = {members[0] for _, members in found if len(members) == 1}
    regions: list[str] = []
    for _, members in sorted(found, key=lambda f: f[0]):
        if len(members) > 1 and named & set(members):
            members = [r for r in members if r in named]
        regions.extend(r for r in members if r not in regions)
    places = [place for _, _, place, _ in inside] + _admin_places(question, taken)
    return RegionMatch(regions, _unknown_places(question, taken, vocabulary), list(dict.fromkeys(places)))


_NOT_A_NAME = ("全", "各", "本", "我", "该", "每")  # 全州, 各市, 本县: the region itself, not a place in it


def _places_inside(question: str, taken: list[bool], groups: dict[str, list[str]]) -> list[tuple[int, int, str, str]]:
    """(start, end, place, region) for each place the question names that lies inside one
    covered region by the division table (兰州 → 甘肃省, 仁寿县 → 眉山市, Lanzhou → 甘肃省). A
    Chinese place is a word jieba tags ``ns``, one the dictionary names a division by, or a
    name with its level (…市/县); an English one is a capitalised word the dictionary names a
    division by. A name with readings in different regions (朝阳) places nothing."""
    out = []
    for name, flag, start, end in _tagged_words(question):
        if len(name) < 2 or any(taken[start:end]) or name.startswith(_NOT_A_NAME) or generic_place_noun(name):
            continue
        if flag == "ns" or name in place_words() or (len(name) >= 3 and name.endswith(("省", "市", "州", "县"))):
            region = _region_around([name], groups)
            if region:
                out.append((start, end, name, region))
    for m in re.finditer(r"\b[A-Z][a-z]+(?:\s(?:[A-Z][a-z]+|county|city|district|prefecture))?\b", question):
        if any(taken[m.start():m.end()]):
            continue
        spans = [(m.start(), m.end(), m.group(0))] + [(m.start() + w.start(), m.start() + w.end(), w.group(0))
                                                     for w in re.finditer(r"[A-Za-z]+", m.group(0))]
        for start, end, name in spans:
            heads = chinese_places(name)
            region = _region_around(list(heads), groups)
            if region:
                out.append((start, end, heads[0], region))
                break
    return sorted(out)


def _region_around(names: list[str], groups: dict[str, list[str]]) -> str:
    """The one covered region every reading of the names lies in (itself or the nearest
    division around it that the catalog names), else ""."""
    found = set()
    for name in names:
        for reading in containing(name):
            region = None
            for division in [name] + reading:
                covered = groups.get(division.lower()) or groups.get(short_name(division).lower())
                if covered:
                    region = covered[0] if len(covered) == 1 else None
                    break
            found.add(region)
    return found.pop() if len(found) == 1 and None not in found else ""


# nouns for kinds of place, not names of one: 大中城市, 中心城市, 山区
GENERIC_PLACE_NOUNS = ("城市", "地区", "区域", "地方", "农村", "城乡", "乡村", "山区", "边疆", "县域", "市州", "市县")


def generic_place_noun(word: str) -> bool:
    return word.endswith(GENERIC_PLACE_NOUNS)


@lru_cache(maxsize=1)
def _jieba_tags() -> dict[str, str]:
    """jieba's dictionary: word → part-of-speech tag."""
    import jieba.posseg as pseg

    segmenter()
    return pseg.dt.word_tag_tab


def _word_starts(text: str) -> dict[int, str]:
    """Start offset → jieba word, for telling an abbreviation from part of a longer name."""
    out, pos = {}, 0
    for word in segmenter().lcut(text):
        out[pos] = word
        pos += len(word)
    return out


def _admin_places(question: str, taken: list[bool]) -> list[str]:
    """Words with an administrative suffix (南昌市, 雅安市) that no region name covers."""
    out = []
    for start, word in _word_starts(question).items():
        if len(word) >= 3 and word.endswith(("市", "州", "县", "区")) and not any(taken[start:start + len(word)]) \
                and not word.startswith((*_NOT_A_NAME, "示范")):
            out.append(word)
    return list(dict.fromkeys(out))


@lru_cache(maxsize=256)
def _tagged_words(question: str) -> tuple[tuple[str, str, int, int], ...]:
    """(word, jieba part-of-speech tag, start, end) of a question, tagged once for the place
    rules that read it."""
    import jieba.posseg as pseg

    out, pos = [], 0
    for word in pseg.cut(question):
        start = question.find(word.word, pos)
        if start < 0:
            continue
        pos = start + len(word.word)
        out.append((word.word, word.flag, start, pos))
    return tuple(out)


def _unknown_places(question: str, taken: list[bool], vocabulary: set[str]) -> list[str]:
    """Place names (jieba POS 'ns', or capitalised English after in/for/of) the corpus never mentions."""
    unknown = []
    for name, flag, start, end in _tagged_words(question):
        if flag == "ns" and len(name) >= 2 and not any(taken[start:end]) and not generic_place_noun(name) \
                and name not in vocabulary:
            unknown.append(name)
    # an administrative name jieba does not know as a place (白石市, 青石县): two or three
    # characters before 省/市/州/县, after a particle, when the corpus never mentions it; a
    # word jieba's dictionary knows as something else (大中城市, 中心城市) is no place
    tags = _jieba_tags()
    for m in re.finditer(r"(?:^|[在是对的和与及从向、，,\s])([\u4e00-\u9fff]{2,3}(?:省|市|州|县))", question):
        name = m.group(1)
        known_word = tags.get(name, "ns") != "ns" or generic_place_noun(name)
        if not any(taken[m.start(1):m.end(1)]) and name not in vocabulary and name not in unknown \
                and not known_word and not name.startswith(_NOT_A_NAME):
            unknown.append(name)
    # an English word is a place only when the dictionary names a place by it (Hunan → 湖南省),
    # not because it is capitalised (Universities)
    for m in re.finditer(r"\b(?:in|for|of|from|does|do)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)", question):
        if not any(taken[m.start(1):m.end(1)]) and m.group(1).lower() not in STOPWORDS \
                and english_place(m.group(1)):
            unknown.append(m.group(1))
    return unknown
