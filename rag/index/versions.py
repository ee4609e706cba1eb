"""Versions of one work and which is in force, read over the whole library.

Documents with the same title are versions of one work (上海市科学技术进步条例 of 2010 and of
2024). A version's date is the one its file is named for (law repositories name files
``…(2010-09-17).md``), else the latest act its own text states (adoption, revision,
amendment), else its catalog date, else when it took effect. The newest version of a work is
in force and every older one is replaced by the next; a plan whose period has ended is ended;
``documents.toml`` can state what a text cannot (``status = "废止"``: repealed by another
document). Status depends on the other documents, so it is computed for the library as it
stands, never stored with a document.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

IN_FORCE, REPLACED, ENDED, REPEALED, NOT_YET = "in force", "replaced", "ended", "repealed", "not yet in force"
_FILE_DATE = re.compile(r"[（(](\d{4}-\d{2}-\d{2})[）)]\.[A-Za-z]+$")
_PERIOD_END = re.compile(r"(\d{4})$")
_REPEALED = ("废止", "失效", "repealed")


@dataclass(frozen=True)
class Version:
    doc_id: str
    date: str  # ISO date of this version ("" when nothing dates it)
    label: str = ""  # how a citation names the version ("2024年修订"); "" for a work of one version
    status: str = IN_FORCE
    replaced_by: str = ""  # the doc_id of the next version
    replaced_on: str = ""  # that version's date
    others: tuple[str, ...] = ()  # the doc_ids of the work's other versions

    def as_dict(self) -> dict:
        return {"version": self.label, "status": self.status, "replaced_by": self.replaced_by,
                "replaced_on": self.replaced_on}


def version_date(meta: dict) -> str:
    """The date a document's version is known by (see the module docstring)."""
    named = _FILE_DATE.search(meta.get("source_file", "") or "")
    if named:
        return named.group(1)
    acts = [a.split()[0] for a in (meta.get("amendments") or "").split("；") if a.strip()]
    stated = [d for d in (*acts, meta.get("adopted", ""), meta.get("issued", "")) if d]
    return max(stated) if stated else (meta.get("date") or meta.get("effective") or "")


def versions_of(documents: list[dict], today: dt.date | None = None) -> dict[str, Version]:
    """doc_id → its Version, for one metadata dict per document (title, source_file, dates,
    period and the catalog's status)."""
    today = today or dt.date.today()
    works: dict[str, list[dict]] = {}
    for meta in documents:
        works.setdefault(meta.get("title") or meta["doc_id"], []).append(meta)
    out: dict[str, Version] = {}
    for members in works.values():
        members = sorted(members, key=lambda m: (version_date(m), m["doc_id"]))
        ids = tuple(m["doc_id"] for m in members)
        for i, meta in enumerate(members):
            date = version_date(meta)
            newer = members[i + 1] if i + 1 < len(members) else None
            out[meta["doc_id"]] = Version(
                doc_id=meta["doc_id"], date=date, label=_label(date, members) if len(members) > 1 else "",
                status=_status(meta, newer, today), replaced_by=newer["doc_id"] if newer else "",
                replaced_on=version_date(newer) if newer else "", others=tuple(d for d in ids if d != meta["doc_id"]))
    return out


def _label(date: str, members: list[dict]) -> str:
    """2024年修订 when some version's header calls this date a revision or amendment, else 2024年."""
    if not date:
        return "未注明日期"
    acts = {a.split()[0]: a.split()[1] for m in members for a in (m.get("amendments") or "").split("；")
            if len(a.split()) == 2}
    return f"{date[:4]}年{acts.get(date, '')}"


def _status(meta: dict, newer: dict | None, today: dt.date) -> str:
    declared = (meta.get("declared_status") or "").strip()
    if declared in _REPEALED:
        return REPEALED
    if newer is not None:
        return REPLACED
    effective = meta.get("effective") or ""
    if effective and effective > today.isoformat():
        return NOT_YET
    end = _PERIOD_END.search(meta.get("period") or "")
    if end and int(end.group(1)) < today.year:
        return ENDED
    return IN_FORCE
