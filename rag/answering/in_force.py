"""What an answer must say about the texts it quotes: a version replaced by a newer one, a
repealed document, one not yet in force, a plan whose period has ended, each in one line
with its date; for an article asked by number, whether the work's other version words it
the same. An official who quotes a replaced article to an applicant makes a real mistake.
"""
from __future__ import annotations

import re

from rag.core.model import Answer, work_title
from rag.index.versions import ENDED, NOT_YET, REPEALED, REPLACED
from rag.reading.lookup import chinese_date, english_date

NOTE = {"zh": "注意：{notes}。", "en": "Note: {notes}."}
SAID = {
    REPLACED: ("[{n}]所引{title}已被{newer}的版本取代", "[{n}] quotes {title}, replaced by the version of {newer}"),
    REPEALED: ("[{n}]所引{title}已废止", "[{n}] quotes {title}, which has been repealed"),
    NOT_YET: ("[{n}]所引{title}自{effective}起施行，尚未生效", "[{n}] quotes {title}, in force only from {effective}"),
    ENDED: ("[{n}]所引{title}的实施期限为{period}年，已于{end}年底结束",
            "[{n}] quotes {title}, whose period {period} ended at the end of {end}"),
}
SAME = {"zh": "{other}版本的{article}与此相同", "en": "the {other} version's {article} reads the same"}
DIFFERS = {"zh": "{other}版本的{article}内容不同", "en": "the {other} version's {article} reads differently"}


def with_version_notes(answer: Answer, retriever, article: int = 0) -> Answer:
    """``answer`` with one line saying which quoted texts are not in force (and, for an
    article asked by number, how the work's other versions word it)."""
    language = answer.language
    notes: list[str] = []
    seen: set[str] = set()
    for citation in answer.citations:
        version = retriever.versions.get(citation.doc_id)
        if version is None or citation.doc_id in seen:
            continue
        seen.add(citation.doc_id)
        meta = _metadata(retriever, citation.doc_id)
        if version.status in SAID:
            notes.append(_status_note(version, meta, citation.n, retriever, language))
        if article and version.others:
            other_dates = [d for d in version.others if retriever.versions[d].date != version.date]
            notes.extend(_article_note(retriever, citation, other, article, language) for other in other_dates)
    notes = [n for n in notes if n]
    if notes:
        answer.text += "\n" + NOTE[language].format(notes=("；" if language == "zh" else "; ").join(notes))
    return answer


def _metadata(retriever, doc_id: str) -> dict:
    return retriever.document_metadata.get(doc_id, {})


def _status_note(version, meta: dict, n: int, retriever, language: str) -> str:
    zh = language == "zh"
    date = chinese_date if zh else english_date
    newer = retriever.versions.get(version.replaced_by)
    period = (meta.get("period") or "").replace("-", "—" if zh else "–")
    fields = {"n": n, "title": work_title(meta),
              "newer": date(newer.date) if newer and newer.date else (newer.label if newer else ""),
              "effective": date(meta["effective"]) if meta.get("effective") else "",
              "period": period, "end": period[-4:]}
    return SAID[version.status][0 if zh else 1].format(**fields)


def _article_note(retriever, citation, other: str, article: int, language: str) -> str:
    parts = [n for n in retriever.nodes if n.metadata.get("doc_id") == other and n.metadata.get("article") == article]
    if not parts:
        return ""
    label = retriever.versions[other].label
    number = parts[0].metadata.get("clause_number", "") if language == "zh" else f"Article {article}"
    same = _body("".join(p.text for p in parts)) == _body(citation.text)
    return (SAME if same else DIFFERS)[language].format(other=label, article=number)


def _body(text: str) -> str:
    """An article's words without its number and spacing (第四十二条 … → …)."""
    return re.sub(r"^第[^条]{1,8}条", "", re.sub(r"\s+", "", text))
