"""Answers read straight off a document: an article by its number, and the document's own
facts (when it takes effect, was adopted, amended, issued).

These questions are not a search for the most similar sentence: "第十八条说了什么" is
answered by article 18 of the document asked about, or by saying it has no such article.
"""
from __future__ import annotations

import re

from rag.core.model import Answer, Citation, work_title
from rag.extract.english import EnglishReader, has_chinese, reader_for
from rag.query.analysis import QuestionAnalysis

MOST_DOCUMENTS = 3
NO_ARTICLE = {
    "zh": "《{title}》没有第{n}条（全文共{last}条）。",
    "en": "{title} has no Article {n} (it has {last} articles).",
}
FACT_NAMES = {
    "effective": ("施行日期", "took effect on"),
    "adopted": ("通过日期", "was adopted on"),
    "issued": ("印发日期", "was issued on"),
    "amendments": ("修订、修正", "was amended"),
}


def _documents(nodes: list, regions: list[str]) -> dict[str, list]:
    """doc_id → its nodes in document order, for the regions asked about (all when none)."""
    docs: dict[str, list] = {}
    for node in nodes:
        if not regions or node.metadata.get("region") in regions:
            docs.setdefault(node.metadata.get("doc_id", ""), []).append(node)
    for parts in docs.values():
        parts.sort(key=lambda n: (n.metadata.get("start_char", 0), n.metadata.get("part", 1)))
    return docs


def article_answer(analysis: QuestionAnalysis, nodes: list, regions: list[str], language: str,
                   question: str, english: EnglishReader | None = None) -> Answer | None:
    """The article asked for by number, in full (all its parts), from each document asked
    about that is in article form; None when no document in scope has articles."""
    docs = {d: parts for d, parts in _documents(nodes, regions).items()
            if any(n.metadata.get("article") for n in parts)}
    if not docs:
        return None
    named = {d: parts for d, parts in docs.items() if _names(question, parts[0].metadata)}
    docs = named or docs
    lines, citations = [], []
    for parts in list(docs.values())[:MOST_DOCUMENTS]:
        hits = [n for n in parts if n.metadata.get("article") == analysis.article]
        meta = parts[0].metadata
        if not hits:
            last = max(n.metadata.get("article") or 0 for n in parts)
            lines.append(NO_ARTICLE[language].format(title=meta.get("title", ""), n=_numeral(analysis.article, language),
                                                     last=last))
            continue
        citations.append(Citation.of_node(hits[0], len(citations) + 1))
        text = "\n".join(n.text for n in hits)
        citations[-1].text = text
        n = citations[-1].n
        number = hits[0].metadata.get("clause_number", "")
        if language == "en":
            lines.append(f"Article {analysis.article} ({number}) of {english_title(meta, english)}: “{text}” [{n}]")
        else:
            lines.append(f"{work_title(meta)}{number}：“{text}”[{n}]")
    return Answer("\n".join(lines), citations, not citations, question=question, language=language,
                  short_answer=lines[0] if citations else "")


def english_title(metadata: dict, english: EnglishReader | None = None) -> str:
    """A document for an English reader: its title glossed, the Chinese title and the region
    beside it ("the Shanghai City patent protection regulations (上海市专利保护条例, Shanghai)")."""
    title = metadata.get("title", "")
    region = metadata.get("region_en") or metadata.get("region", "")
    beside = ", ".join(p for p in (title, region) if p)
    return f"the {(english or reader_for({})).gloss(title)} ({beside})" if has_chinese(title) else f"{title} ({region})"


def _names(question: str, metadata: dict) -> bool:
    """The question names the document: its title, or its title without the region it opens
    with (上海市科学技术进步条例, 科学技术进步条例 asked of 上海)."""
    title = metadata.get("title", "")
    short = title[len(metadata.get("region", "")):] if title.startswith(metadata.get("region", "") or "\0") else title
    return bool(title) and (title in question or (len(short) >= 4 and short in question))


def _numeral(n: int, language: str) -> str:
    if language == "en":
        return str(n)
    import cn2an

    return cn2an.an2cn(n)


def facts_answer(analysis: QuestionAnalysis, nodes: list, regions: list[str], language: str,
                 question: str, english: EnglishReader | None = None) -> Answer | None:
    """The dates a question asks for, from each document in scope that states them, each cited
    to the clause where the text says it; None when no document in scope states any."""
    lines, citations = [], []
    for parts in _documents(nodes, regions).values():
        meta = parts[0].metadata
        for fact in analysis.document_facts:
            value = meta.get(fact, "")
            if not value:
                continue
            source = _stating_node(parts, value)
            if source is None:
                continue
            citations.append(Citation.of_node(source, len(citations) + 1))
            lines.append(_fact_line(meta, fact, value, language, citations[-1].n, english))
        if len(citations) >= MOST_DOCUMENTS * 2:
            break
    if not citations:
        return None
    # the dates are the answer itself: the direct answer is the same lines
    return Answer("\n".join(lines), citations, False, question=question, language=language,
                  short_answer="；".join(lines) if language == "zh" else "; ".join(lines))


def chinese_date(iso: str) -> str:
    """2024-05-10 → 2024年5月10日 (a date not in that form is given as written)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        return iso
    year, month, day = iso.split("-")
    return f"{int(year)}年{int(month)}月{int(day)}日"


_MONTHS = ("January February March April May June July August September October November December").split()


def english_date(iso: str) -> str:
    """2024-05-10 → May 10, 2024 (a date not in that form is given as written)."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", iso):
        return iso
    year, month, day = iso.split("-")
    return f"{_MONTHS[int(month) - 1]} {int(day)}, {year}"


def _dates(value: str) -> list[str]:
    """The ISO dates in a fact value ("2017-03-30 修订；2021-09-29 修正" → two)."""
    return [part.split()[0] for part in value.split("；") if part.strip()]


def _stating_node(parts: list, value: str):
    """The clause whose text states the (first) date of a fact."""
    wanted = chinese_date(_dates(value)[0])
    for node in parts:
        if wanted in node.text.replace(" ", ""):
            return node
    return None


def _fact_line(meta: dict, fact: str, value: str, language: str, n: int, english: EnglishReader | None) -> str:
    zh_name, en_verb = FACT_NAMES[fact]
    if language == "en":
        if fact == "amendments":
            dates = "; ".join(f"{english_date(d)} ({chinese_date(d)})" for d in _dates(value))
            return f"{english_title(meta, english)} {en_verb} on {dates} [{n}]"
        return f"{english_title(meta, english)} {en_verb} {english_date(value)} ({chinese_date(value)}) [{n}]"
    if fact == "amendments":
        history = "；".join(f"{chinese_date(p.split()[0])}{p.split()[1]}" for p in value.split("；") if p.strip())
        return f"{work_title(meta)}{zh_name}：{history}[{n}]"
    return f"{work_title(meta)}{zh_name}：{chinese_date(value)}[{n}]"
