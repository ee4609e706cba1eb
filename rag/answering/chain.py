"""The default answer chain: question → regions → retrieval → evidence → cited answer.

The rules of answering (regions, follow-ups, comparisons, false premises) read in one place;
the abstention rules are in rag.answering.abstention, the note on texts not in force in
rag.answering.in_force.
"""
from __future__ import annotations

import re

from rag.answering.abstention import (
    AMOUNT_WORDS,
    NOT_A_QUESTION,
    QUESTION_WORDS,
    has_figure,
    outside_period,
    unknown_concepts,
    unknown_english_concepts,
    unstated_figure,
    without_years,
)
from rag.answering.in_force import with_version_notes
from rag.core.model import Answer, Citation, Evidence
from rag.core.numbers import arabic_numerals, numbers_in, unsupported_numbers
from rag.core.vocabulary import QUALIFIER_AFTER, QUALIFIER_BEFORE
from rag.core.words import tokenize
from rag.extract.facts import facts_of
from rag.extract.measures import KINDS, lineage, offers
from rag.features.eligibility import eligibility_answer, measures_for, strongest
from rag.ingest.glossary import english_department
from rag.places.matching import match_regions
from rag.query.analysis import analyse, asked_article
from rag.query.followup import clean_question, condense, language_of
from rag.query.spelling import corrected
from rag.reading.completion import completed, with_parallel
from rag.reading.direct_answer import best_fragments, short_answer, value_of
from rag.reading.extractive import QUANTITY_WORDS, compose, english_figure, intents_of, key_figure, score_sentences
from rag.reading.lookup import article_answer, facts_answer
from rag.verify.checks import check_answer

# below this share of the question's terms found in the best sentence, the documents are
# taken not to answer the question (measured on eval/qa.jsonl, docs/measurements.md)
MIN_OVERLAP = 0.30
# an English question's units are dictionary translations, which match the corpus's wording
# less often than a Chinese question's own words (calibrated on the blind set, docs/measurements.md)
MIN_OVERLAP_EN = 0.20
NOT_COVERED = {
    "zh": "文件未涉及这一问题：现有文件（{regions}）中没有找到相关规定。以下条款可能相关，仅供参考。",
    "en": "The documents don't cover this: nothing in the policies of {regions} answers it. "
          "Related clauses are listed below for reference, not as an answer.",
}
PLACE_NOT_COVERED = {
    "zh": "文件未涉及{places}：本库只收录{regions}的文件。",
    "en": "The documents don't cover {places}: the collection holds policies of {regions} only.",
}
CONCEPT_NOT_COVERED = {
    "zh": "文件未涉及这一问题：现有文件中没有出现“{terms}”的相关规定。以下条款可能相关，仅供参考。",
    "en": "The documents don't cover this: none of them mentions {terms}. "
          "Related clauses are listed below for reference, not as an answer.",
}
READ_AS = {"zh": "（按{fixes}理解）", "en": "(read {fixes})"}
READ_AS_ONE = {"zh": "“{typo}”为“{word}”", "en": "“{typo}” as “{word}”"}
PREMISE = {
    "zh": "注意：文件中没有“{wrong}”这一数字，原文规定见上。",
    "en": "Note: the documents do not state {wrong}; the source says otherwise (quoted above).",
}
# the figure the documents give where the question assumes another (a false premise)
PREMISE_INSTEAD = {
    "zh": "注意：文件中没有“{wrong}”这一数字，文件规定的是{figure}：“{quote}”[{n}]",
    "en": "Note: the documents do not state {wrong}; they give {figure}: “{quote}” [{n}]",
}


citation_for = Citation.of_node


def answer_question(question: str, retriever, region: str | None = None, history: list | None = None,
                    max_chars: int = 2000, writer=None) -> Answer:
    """A cited Answer. ``writer`` (optional) is an LLM writer (rag.llm.writer.LLMWriter): it writes the
    answer from the clauses the extractive chain found relevant; the extractive answer is kept
    when the writer's answer cites nothing that survives the number check. The answer ends
    with a line on any quoted text that is not in force (rag.answering.in_force)."""
    answer = _answered(question, retriever, region, history, max_chars, writer)
    return with_version_notes(answer, retriever, asked_article(answer.question))


def _answered(question: str, retriever, region: str | None, history: list | None, max_chars: int,
              writer) -> Answer:
    question = clean_question(question, max_chars)
    language = language_of(question)
    groups = retriever.region_groups
    query, regions = condense(question, history, groups)
    query, fixes = corrected(query, retriever.homophones)
    if region:
        regions = match_regions(region, groups).regions or [region]
    found = match_regions(query, groups, retriever.vocabulary)
    basis, terms, spans = _question_terms(query, language, groups, retriever.bridge)
    wants_quantity = bool(QUANTITY_WORDS.search(query))
    all_regions = "、".join(sorted({r for v in groups.values() for r in v}))

    if found.unknown_places and not regions:
        places = "、".join(found.unknown_places)
        related = _related(retriever, query, [])
        text = PLACE_NOT_COVERED[language].format(places=places, regions=all_regions)
        return Answer(text, [], True, related, question=question, language=language)

    analysis = analyse(query)
    if analysis.not_about_documents:
        return Answer(NOT_A_QUESTION[language], [], True, [], question=question, language=language)
    looked_up = _looked_up(analysis, retriever.current_nodes(query), regions, language, question)
    if looked_up is not None:  # "no such article" is our statement, not a document's: unchecked
        return looked_up if looked_up.abstained else check_answer(looked_up)
    if analysis.applicant and len(regions) == 1:  # "我们是眉山的科技型中小企业，能享受哪些支持？"
        listed = _eligible_measures(analysis.applicant, regions[0], retriever, terms, language, question)
        if listed is not None:
            return listed
    outside = outside_period(analysis, retriever.nodes, regions, language)
    if outside:
        return Answer(outside, [], True, _related(retriever, query, regions), question=question, language=language)

    if language == "en":
        missing = unknown_english_concepts(retriever.bridge.groups(query), set(groups))
    else:
        missing = unknown_concepts(basis, retriever.vocabulary, retriever.corpus_text, set(groups))
    if missing:
        related = _related(retriever, query, regions)
        text = CONCEPT_NOT_COVERED[language].format(terms="、".join(missing))
        return Answer(text, [], True, related, question=question, language=language)

    groups_to_answer = [[r] for r in regions] if len(regions) > 1 else [regions]
    chosen: list[Evidence] = []
    read: list = []  # every clause read, for the LLM writer's context
    best_coverage = 0.0
    vectors = retriever.sentence_vectors
    similarity = vectors.similarity(query) if vectors is not None else None
    min_overlap = MIN_OVERLAP if language == "zh" else MIN_OVERLAP_EN
    for group in groups_to_answer:
        nodes = retriever.evidence(query, group, top_k=retriever.top_k)
        read.extend(nodes)
        ranked = score_sentences(terms, nodes, wants_quantity, intents_of(query), basis, spans, similarity, language,
                                 retriever.rarity)
        if AMOUNT_WORDS.search(query):  # an amount is answered by a sentence that states one
            stating = [ev for ev in ranked if has_figure(ev.sentence) and ev.coverage >= min_overlap]
            ranked = stating or ranked
        best_coverage = max([best_coverage] + [ev.coverage for ev in ranked[:1]])
        if ranked and ranked[0].coverage >= min_overlap:
            best = with_parallel(ranked[0], ranked) if analysis.kind == "list" else ranked[0]
            chosen.append(completed(best, intents_of(query), retriever.parts_of(best.node)))
            if len(groups_to_answer) == 1 and len(group) != 1:
                chosen.extend(_corroborating(ranked, wants_quantity, terms))

    if not chosen:
        related = _related(retriever, query, regions)
        scope = "、".join(regions) if regions else all_regions
        return Answer(NOT_COVERED[language].format(regions=scope), [], True, related,
                      question=question, language=language, coverage=best_coverage)
    unstated = unstated_figure(query, chosen, found.places, terms)
    if unstated is not None:
        related = [citation_for(ev.node, i) for i, ev in enumerate(chosen, 1)]
        return Answer(unstated[language], [], True, related, question=question, language=language)

    citations, numbered = [], []
    for ev in chosen:
        citations.append(citation_for(ev.node, len(citations) + 1))
        numbered.append((ev, citations[-1].n))
    direct = short_answer(numbered, analysis.kind, language, terms,
                          lambda name: _english_unit(name, retriever.departments), query, analysis.units)
    lead = ("答：" if language == "zh" else "Answer: ") + direct
    answer = check_answer(Answer(lead + "\n" + compose(numbered, language, terms, regions), citations, False,
                                 question=question, language=language, coverage=best_coverage))
    answer.short_answer = direct if lead in answer.text else ""
    if writer is not None:
        answer = written_by_llm(writer, answer, question, language, _context(chosen, read, writer.max_clauses),
                          "、".join(regions) if regions else all_regions)
    # a figure the question takes for granted that no cited clause states (a false premise);
    # added after the check, which would drop it: it is a correction, not a claim
    wrong = unsupported_numbers(without_years(question), [c.text for c in answer.citations])
    if wrong and not answer.abstained:
        note = _premise_note(question, wrong, answer, retriever, regions or found.regions, language)
        if note:
            answer.text += "\n" + note
    if fixes:
        answer.text += "\n" + READ_AS[language].format(
            fixes="、".join(READ_AS_ONE[language].format(typo=t, word=w) for t, w in fixes.items()))
    return answer


def _premise_note(question: str, wrong: list[str], answer: Answer, retriever, regions: list[str],
                  language: str) -> str:
    """The correction of a figure the question takes for granted: the figure the documents
    give for the same thing (the sentence best matching the part of the question that states
    the wrong figure, among those stating a figure), quoted and cited (its clause added to the
    answer's citations when not yet there); else only that the documents do not state it; ""
    when they do state it after all, in a clause the answer does not cite."""
    premise = next((part for part in re.split(r"[，,。？?；;—–]|\s-\s", question)
                    if any(n in unsupported_numbers(part, []) for n in wrong)), "")
    # the wrong figures as the question writes them (50亿元, not 5000000000)
    stated = [f for f in facts_of(arabic_numerals(premise)).figures if set(numbers_in(f.text)) & set(wrong)]
    numbers = "、".join(dict.fromkeys(f.text for f in stated)) or "、".join(wrong)
    basis, terms, spans = _question_terms(premise, language, retriever.region_groups, retriever.bridge)
    nodes = retriever.evidence(premise, regions, top_k=retriever.top_k) if terms else []
    vectors = retriever.sentence_vectors
    similarity = vectors.similarity(premise) if vectors is not None and nodes else None
    ranked = score_sentences(terms, nodes, True, [], basis, spans, similarity, language, retriever.rarity)
    least = MIN_OVERLAP if language == "zh" else MIN_OVERLAP_EN
    stating = [ev for ev in ranked if ev.coverage >= least and has_figure(ev.sentence)]
    if stating and not unsupported_numbers(" ".join(wrong), [stating[0].sentence]):
        return ""  # the documents do state it, only not in the clauses the answer cites
    if not stating:
        return PREMISE[language].format(wrong=numbers)
    best = stating[0]
    figure = value_of(best, "figure", terms, premise, tuple(dict.fromkeys(f.unit for f in stated if f.unit)))
    if language == "en":
        figure = ", ".join(english_figure(f) for f in figure.split("，"))
    quote = best_fragments(best.sentence, terms)
    cited = next((c for c in answer.citations if c.doc_id == best.node.metadata.get("doc_id")
                  and c.clause_path == best.node.metadata.get("clause_path")), None)
    if cited is None:
        cited = citation_for(best.node, len(answer.citations) + 1)
        answer.citations.append(cited)
    return PREMISE_INSTEAD[language].format(wrong=numbers, figure=figure, quote=quote, n=cited.n)


def _english_unit(name: str, departments: dict[str, list[str]]) -> str:
    """省教育厅（牵头） → "Provincial Department of Education (省教育厅) (lead)"."""
    lead = name.endswith("（牵头）")
    name = name.removesuffix("（牵头）")
    return english_department(name, departments) + (" (lead)" if lead else "")


def _eligible_measures(kind: str, region: str, retriever, terms: list[str], language: str, question: str):
    """A broad eligibility question (no topic but the applicant: "我们是…企业，能享受哪些支持？"):
    the strongest measures for the applicant, by the engine of the Eligibility tab and
    `rag eligible`; None for a question with a topic of its own."""
    verdicts = measures_for(retriever.nodes, region, kind, regions=retriever.scope([region]))
    named = [w for k in lineage(kind) for w in KINDS[k][0]]  # the applicant's own words: no topic
    own = [t for t in terms if not any(t in w or w in t for w in named) and not offers(t)
           and t not in QUESTION_WORDS]
    if any(len(t) > 1 for t in own):  # a topic of its own (招收高校毕业生): the reader answers it
        return None
    # verbatim quotes with the verdict and period read from the metadata: nothing generated to
    # check (the number check would take the plan's years for claims the clause does not make)
    return eligibility_answer(strongest(verdicts, own, kind), retriever.by_id, region, kind, language, question)


def _looked_up(analysis, nodes: list, regions: list[str], language: str, question: str) -> Answer | None:
    """An article asked for by number, or a document's own dates, read off the documents."""
    if analysis.asks_article:
        found = article_answer(analysis, nodes, regions, language, question)
        if found is not None:
            return found
    if analysis.asks_document_facts:
        return facts_answer(analysis, nodes, regions, language, question)
    return None


def _corroborating(ranked: list[Evidence], wants_quantity: bool, terms: list[str],
                   ratio: float = 0.5, most: int = 2) -> list[Evidence]:
    """The best sentences of other documents that say nearly as much as the best one
    (成德绵's 70%以上 beside 阿坝州's 至少70%): one a document, at most ``most``.

    For a quantity question the other sentence must state a figure of the same kind
    (a percentage beside a percentage, 亿元 beside 亿元).
    """
    best = ranked[0]
    unit = _unit(key_figure(best.sentence, terms)) if wants_quantity else None
    docs, out = {best.node.metadata.get("doc_id")}, []
    for ev in ranked[1:]:
        doc = ev.node.metadata.get("doc_id")
        if doc in docs or ev.coverage < max(MIN_OVERLAP, best.coverage * ratio):
            continue
        if wants_quantity:
            figure = key_figure(ev.sentence, terms)
            if not figure or _unit(figure) != unit:
                continue
        docs.add(doc)
        out.append(ev)
        if len(out) == most:
            break
    return out


def written_by_llm(writer, extractive: Answer, question: str, language: str, nodes: list, scope: str) -> Answer:
    """The LLM writer's answer, or the extractive one (flagged) when the writer fails."""
    from rag.llm.writer import LLMUnavailable

    try:
        written = writer.write(question, language, nodes)
    except LLMUnavailable as exc:
        extractive.flagged.append(f"{exc}; the extractive answer is shown")
        return extractive
    if written is None:
        extractive.flagged.append("the LLM's answer cited no clause that passed the number check; "
                                  "the extractive answer is shown")
        return extractive
    if written.abstained:
        written.text = NOT_COVERED[language].format(regions=scope)
        written.related = extractive.citations
    return written


def _context(chosen: list[Evidence], read: list, most: int) -> list:
    """The clauses an LLM writer sees: the chosen ones first, then the others read, no repeats."""
    out, seen = [], set()
    for node in [ev.node for ev in chosen] + read:
        if node.node_id not in seen:
            seen.add(node.node_id)
            out.append(node)
    return out[:most]


def _related(retriever, query: str, regions: list[str]) -> list[Citation]:
    """The nearest clauses, shown (not cited) when the answer abstains."""
    return [citation_for(r.node, i) for i, r in enumerate(retriever.search(query, regions, top_k=3), 1)]


def _unit(figure: str | None) -> str:
    return re.sub(rf"[\d.\-—～~\s]|{QUALIFIER_BEFORE}|达到|{QUALIFIER_AFTER}|前", "", figure or "")


def _question_terms(query: str, language: str, groups: dict, bridge) -> tuple[str, list[str], dict | None]:
    """(basis, terms, spans): the terms that say what is asked, the text they come from and,
    for English, which part of the question each term stands for.

    Region names (handled by the filter), numbers and question words are left out. An English
    question is represented by the Chinese translations of its units; the alternatives of one
    unit share its span, so a sentence covers "income" by any one of 收入/收益."""
    names = set(groups)
    if language == "en":
        spans: dict[str, set[int]] = {}
        offset = 0
        for unit in bridge.groups(query):
            chinese = [t.lower() for t in unit.chinese if t.lower() not in names]
            if not chinese or unit.english in names:
                continue
            chars = set(range(offset, offset + len(unit.english)))
            offset += len(unit.english) + 1
            for term in chinese:
                spans.setdefault(term, set()).update(chars)
        return " ".join(spans), list(spans), spans
    terms = [t for t in tokenize(query) if t not in names and not t.isdigit() and t not in QUESTION_WORDS]
    return query, terms, None
