"""Corpus metadata: which document is which, and which names mean which region.

The metadata lives as data in ``corpus/documents.toml``. Region names a user may type
(Chinese or English aliases) come from there too, never from a list in code, so a new
region is added by editing the TOML file.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

METADATA_FILE = "documents.toml"


@dataclass(frozen=True)
class DocumentInfo:
    doc_id: str
    title: str
    region: str = ""
    region_en: str = ""
    file: str = ""
    notice_title: str = ""
    short_title: str = ""
    issuer: str = ""
    doc_number: str = ""
    date: str = ""
    level: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)
    parent_region: str = ""
    parent_aliases: tuple[str, ...] = field(default_factory=tuple)

    def as_metadata(self) -> dict[str, str]:
        """Flat metadata for a llama-index node (Chroma accepts str/int/float/bool only)."""
        return {
            "doc_id": self.doc_id,
            "title": self.title,
            "region": self.region,
            "region_en": self.region_en,
            "issuer": self.issuer,
            "doc_number": self.doc_number,
            "date": self.date,
            "level": self.level,
        }


class CorpusCatalog:
    """The documents.toml entries, looked up by file name or document id."""

    def __init__(self, entries: list[DocumentInfo]):
        self.entries = entries
        self._by_file = {e.file: e for e in entries if e.file}
        self._by_id = {e.doc_id: e for e in entries}

    @classmethod
    def load(cls, corpus_dir: Path) -> "CorpusCatalog":
        path = Path(corpus_dir) / METADATA_FILE
        if not path.is_file():
            return cls([])
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
        entries = []
        for item in raw.get("document", []):
            item = dict(item)
            item["doc_id"] = item.pop("id")
            item["aliases"] = tuple(item.get("aliases", ()))
            item["parent_aliases"] = tuple(item.get("parent_aliases", ()))
            entries.append(DocumentInfo(**item))
        return cls(entries)

    def for_file(self, path: Path) -> DocumentInfo | None:
        return self._by_file.get(Path(path).name)

    def by_id(self, doc_id: str) -> DocumentInfo | None:
        return self._by_id.get(doc_id)

    def region_names(self) -> dict[str, str]:
        """Every name of every region (lower-cased) → the canonical region."""
        names: dict[str, str] = {}
        for e in self.entries:
            if not e.region:
                continue
            for name in (e.region, e.region_en, *e.aliases):
                if name:
                    names[name.lower()] = e.region
        return names

    def region_groups(self) -> dict[str, list[str]]:
        """Every name (lower-cased) → the regions it covers: a region's own names cover it,
        a parent province's names cover all its sub-regions ("四川" → 阿坝州, 成德绵, 眉山市)."""
        groups: dict[str, list[str]] = {}
        for e in self.entries:
            for name in (e.parent_region, *e.parent_aliases):
                if name and e.region and e.region not in groups.setdefault(name.lower(), []):
                    groups[name.lower()].append(e.region)
        for name, region in self.region_names().items():
            groups[name] = [region]
        return groups

    def regions(self) -> list[str]:
        return sorted({e.region for e in self.entries if e.region})


def names_for_region(region: str) -> list[str]:
    """Names a question may use for a region known only from a document's text: the name,
    the name without its level (白石市 → 白石) and that in pinyin (baishi)."""
    from pypinyin import lazy_pinyin

    short = re.sub(r"(省|自治区|市|州|县|区)$", "", region) or region
    names = [region, short]
    if len(short) >= 2:
        names.append("".join(lazy_pinyin(short)))
    return list(dict.fromkeys(n.lower() for n in names))


def with_indexed_regions(groups: dict[str, list[str]], regions: set[str]) -> dict[str, list[str]]:
    """``groups`` plus names for every indexed region that ``documents.toml`` does not describe."""
    known = {r for covered in groups.values() for r in covered}
    out = dict(groups)
    for region in sorted(regions - known - {""}):
        for name in names_for_region(region):
            out.setdefault(name, [region])
    return out


_REGION_IN_TITLE = re.compile(r"^(.{2,8}?(?:省|自治区|市|州|县|区|示范区))")
_TITLE_WORDS = ("方案", "办法", "意见", "规定", "条例", "规划", "通知", "细则", "措施")


def infer_info(doc_id: str, text: str, catalog: CorpusCatalog) -> DocumentInfo:
    """Metadata for a document without an entry: title and region read from its text."""
    title = ""
    for line in text.splitlines()[:40]:
        line = line.strip(" \u3000\t\xa0")
        if 6 <= len(line) <= 80 and any(w in line for w in _TITLE_WORDS) and "。" not in line:
            title = line.strip("《》")
            break
    title = title or doc_id
    region = ""
    names = catalog.region_names()
    lowered = title.lower()
    for name in sorted(names, key=len, reverse=True):
        if name in lowered:
            region = names[name]
            break
    if not region:
        match = _REGION_IN_TITLE.match(title)
        region = match.group(1) if match else ""
    return DocumentInfo(doc_id=doc_id, title=title, region=region)


GLOSSARY_FILE = "glossary.toml"


def load_glossary(corpus_dir: Path) -> dict[str, list[str]]:
    """English → Chinese domain terms (corpus/glossary.toml), lower-cased keys."""
    path = Path(corpus_dir) / GLOSSARY_FILE
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        terms = tomllib.load(fh).get("terms", {})
    return {k.lower(): list(v) for k, v in terms.items()}


def expansion_groups(question: str, glossary: dict[str, list[str]]) -> list[list[str]]:
    """For each glossary phrase in an English question, its Chinese alternatives ([] for Chinese)."""
    lowered = question.lower()
    if sum(ch.isascii() for ch in question) < len(question) * 0.8:
        return []
    groups: list[list[str]] = []
    for phrase in sorted(glossary, key=len, reverse=True):
        # the phrase or a simple inflection of it (patents, applied, training)
        pattern = rf"(?<![a-z]){re.escape(phrase)}(?:s|es|d|ed|ing)?(?![a-z])"
        if re.search(pattern, lowered):
            lowered = re.sub(pattern, " ", lowered)
            groups.append(list(glossary[phrase]))
    return groups


def expand_english(question: str, glossary: dict[str, list[str]]) -> str:
    """The Chinese terms an English question's words stand for (empty for a Chinese question)."""
    terms: list[str] = []
    for group in expansion_groups(question, glossary):
        terms.extend(t for t in group if t not in terms)
    return " ".join(terms)