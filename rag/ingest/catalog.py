"""The catalog: which document is which (``corpus/documents.toml``) and, for a document without
an entry, its metadata read from its own text: title, issuer, number, dates and place. Region
names a user may type come from the TOML file too, never from a list in code.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from rag.core.errors import ConfigError
from rag.ingest.metadata import DocumentFacts, read_facts
from rag.places.document_place import place_of
from rag.places.regions import english_region, level_of

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
    # read from the text (rag.ingest.metadata) where the catalog does not say
    adopted: str = ""
    issued: str = ""
    effective: str = ""
    amendments: str = ""
    period: str = ""
    # what documents.toml says a text cannot: "废止" (repealed by another document)
    status: str = ""

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
            "parent_region": self.parent_region,
            "adopted": self.adopted,
            "issued": self.issued,
            "effective": self.effective,
            "amendments": self.amendments,
            "period": self.period,
        } | ({"declared_status": self.status} if self.status else {})

    def completed_from(self, facts: DocumentFacts) -> "DocumentInfo":
        """This entry with the fields it leaves empty filled from what the text says."""
        read = {"title": facts.title, "notice_title": facts.notice_title, "issuer": facts.issuer,
                "doc_number": facts.doc_number, "date": facts.date, **facts.as_metadata()}
        return replace(self, **{k: v for k, v in read.items() if v and not getattr(self, k)})


@dataclass(frozen=True)
class RegionInfo:
    """A region stated in documents.toml without a document of its own (a [[region]] table):
    its level and the region above it, so documents of its parent answer its questions."""
    name: str
    parent: str = ""
    level: str = ""
    name_en: str = ""
    aliases: tuple[str, ...] = field(default_factory=tuple)


class CorpusCatalog:
    """The documents.toml entries, looked up by file name (inside the corpus folder) or id."""

    def __init__(self, entries: list[DocumentInfo], corpus_dir: Path | None = None,
                 regions: list[RegionInfo] | None = None):
        self.entries = entries
        self.corpus_dir = Path(corpus_dir).resolve() if corpus_dir else None
        self.region_entries = regions or []
        self._by_file = {e.file: e for e in entries if e.file}
        self._by_id = {e.doc_id: e for e in entries}

    @classmethod
    def load(cls, corpus_dir: Path) -> "CorpusCatalog":
        path = Path(corpus_dir) / METADATA_FILE
        if not path.is_file():
            return cls([], corpus_dir)
        try:
            with path.open("rb") as fh:
                raw = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
        entries, regions = [], []
        for item in raw.get("document", []):
            item = dict(item)
            item["doc_id"] = item.pop("id")
            item["aliases"] = tuple(item.get("aliases", ()))
            item["parent_aliases"] = tuple(item.get("parent_aliases", ()))
            try:
                entries.append(DocumentInfo(**item))
            except TypeError as exc:
                raise ConfigError(f"{path}: document {item['doc_id']!r}: {exc}") from exc
        for item in raw.get("region", []):
            item = dict(item)
            item["aliases"] = tuple(item.get("aliases", ()))
            regions.append(RegionInfo(**item))
        return cls(entries, corpus_dir, regions)

    def for_file(self, path: Path) -> DocumentInfo | None:
        """The entry for a file of the corpus folder; a file elsewhere (an upload, another
        folder) with the same name is another document and never takes a catalog entry."""
        path = Path(path)
        if self.corpus_dir is not None and path.resolve().parent != self.corpus_dir:
            return None
        return self._by_file.get(path.name)

    def parents(self) -> dict[str, str]:
        """Region → the region above it, as documents.toml states."""
        out = {e.region: e.parent_region for e in self.entries if e.region and e.parent_region}
        out.update({r.name: r.parent for r in self.region_entries if r.parent})
        return out

    def by_id(self, doc_id: str) -> DocumentInfo | None:
        return self._by_id.get(doc_id)

    def region_names(self) -> dict[str, str]:
        """Every name of every region (lower-cased) → the canonical region."""
        names: dict[str, str] = {}
        for r in self.region_entries:
            for name in (r.name, r.name_en, *r.aliases):
                if name:
                    names[name.lower()] = r.name
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


_REGION_IN_TITLE = re.compile(r"^(.{2,8}?(?:省|自治区|市|州|盟|县|区|示范区))")


def infer_info(doc_id: str, text: str, catalog: CorpusCatalog, title: str = "") -> DocumentInfo:
    """Metadata for a document without an entry: title (``title`` when its format marks one),
    issuer, number, dates and place read from its text. The place is a region documents.toml
    names in the title, else the division or zone the title opens with (the division table
    gives its level and the region around it), else the title's leading place name."""
    facts = read_facts(text)
    title = title or facts.title or doc_id
    region = _catalog_region(title, catalog)
    place = place_of(title, text)
    if region:
        level, parent = level_of(region, title), ""
    elif place is not None:
        region, level, parent = place.region, place.level, place.parent
    else:
        match = _REGION_IN_TITLE.match(title)
        region = match.group(1) if match else ""
        level, parent = level_of(region, title), ""
    info = DocumentInfo(doc_id=doc_id, title=title, region=region, region_en=english_region(region), level=level,
                        parent_region=catalog.parents().get(region, parent))
    return info.completed_from(facts)


def _catalog_region(title: str, catalog: CorpusCatalog) -> str:
    names = catalog.region_names()
    lowered = title.lower()
    for name in sorted(names, key=len, reverse=True):
        # a one-character abbreviation (赣) names a province only on its own, never inside a
        # longer place name (赣州)
        if name in lowered and (len(name) > 1 or not re.search(re.escape(name) + r"[\u4e00-\u9fff]", lowered)):
            return names[name]
    return ""


