"""Versions of one work and which is in force, read over the whole library.

Documents with the same title are versions of one work (上海市科学技术进步条例 of 2010 and of
2024). A version's date is the latest act its own text states (adoption, revision, amendment), else
the date its file is named for (law repositories name files ``…(2010-09-17).md``), else its
catalog date, else when it took effect. The newest version of a work is
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
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
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
    """The date a document's version is known by: the latest act its own text states
    (adoption, revision, amendment), else the date its file is named for, else the catalog's
    date, else when it took effect."""
    acts = [a.split()[0] for a in (meta.get("amendments") or "").split("；") if a.strip()]
    stated = [d for d in (*acts, meta.get("adopted", ""), meta.get("issued", "")) if d]
    if stated:
        return max(stated)
    named = _FILE_DATE.search(meta.get("source_file", "") or "")
    return named.group(1) if named else (meta.get("date") or meta.get("effective") or "")


def versions_of(documents: list[dict], today: dt.date | None = None) -> dict[str, Version]:
    """doc_id → its Version, for one metadata dict per document (title, region, source_file,
    dates, period and the catalog's status). A work is one title of one region; files of one
    date (the same text as .txt and .pdf) are one version."""
    today = today or dt.date.today()
    works: dict[tuple[str, str], list[dict]] = {}
    for meta in documents:
        works.setdefault((meta.get("title") or meta["doc_id"], meta.get("region", "")), []).append(meta)
    out: dict[str, Version] = {}
    for members in works.values():
        members = sorted(members, key=lambda m: (version_date(m), m["doc_id"]))
        ids = tuple(m["doc_id"] for m in members)
        dates = sorted({version_date(m) for m in members})
        # the newest version already in force replaces the older ones; a newer one not yet in
        # force replaces nothing yet
        started = [d for d in dates if not _ahead(_starts(members, d), today)]
        current = started[-1] if started else dates[0]
        for meta in members:
            date = version_date(meta)
            newer = next((m for m in members if version_date(m) > date and version_date(m) <= current), None)
            out[meta["doc_id"]] = Version(
                doc_id=meta["doc_id"], date=date, label=_label(date, members) if len(dates) > 1 else "",
                status=_status(meta, newer, today), replaced_by=newer["doc_id"] if newer else "",
                replaced_on=version_date(newer) if newer else "", others=tuple(d for d in ids if d != meta["doc_id"]))
    return out


def versions_not_read(versions: dict[str, Version], years: tuple[int, int] | None) -> set[str]:
    """The documents a question is not answered from: of a work with several versions, all
    but the one in force, or, when the question names ``years``, all but the one in force then
    (the newest dated the last year asked or before)."""
    out: set[str] = set()
    for doc_id, version in versions.items():
        if not version.others:
            continue
        work = [versions[d] for d in (doc_id, *version.others)]
        dated = [v for v in work if ISO_DATE.fullmatch(v.date)]
        asked = [v for v in dated if years and int(v.date[:4]) <= years[1]]
        current = [v for v in work if v.status not in (REPLACED, NOT_YET)]
        chosen = max(asked or current or work, key=lambda v: v.date)
        if version.date != chosen.date:
            out.add(doc_id)
    return out


def _starts(members: list[dict], date: str) -> str:
    """When the version of ``date`` takes effect (its effective date, else its own date)."""
    return next((m.get("effective") or date for m in members if version_date(m) == date), date)


def _ahead(date: str, today: dt.date) -> bool:
    return bool(ISO_DATE.fullmatch(date or "")) and date > today.isoformat()


def _label(date: str, members: list[dict]) -> str:
    """2024年修订 when some version's header calls this date a revision or amendment, else 2024年."""
    if not re.match(r"\d{4}", date):
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
    if _ahead(meta.get("effective") or "", today):
        return NOT_YET
    end = _PERIOD_END.search(meta.get("period") or "")
    if end and int(end.group(1)) < today.year:
        return ENDED
    return IN_FORCE
