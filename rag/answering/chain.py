"""The default answer chain: question → definitions → reading → decision → cited answer.

A question is read once (rag.answering.question). The definitions (DEFINITIONS: a place the
library does not cover, an instruction rather than a question, an article by number or a
document's dates, a broad eligibility question, years outside every plan) answer from what the
question and the documents are. Otherwise the reader ranks the sentences of the retrieved
clauses (the fitted sentence ranker) and the fitted answerability model decides whether the
best of them answer (rag.answering.answerability, over the signals of rag.answering.abstention);
comparisons, corroboration and false premises are read here; the note on texts not in force is
rag.answering.in_force.
"""
from __future__ import annotations

import math
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
from rag.answering.answerability import Models, Signals, doubt
from rag.answering.in_force import with_version_notes
from rag.answering.question import Question, question_terms
from rag.core.model import Answer, Citation, Evidence
from rag.core.numbers import arabic_numerals, numbers_in, unsupported_numbers
from rag.core.vocabulary import QUALIFIER_AFTER, QUALIFIER_BEFORE
from rag.extract.facts import facts_of
from rag.extract.measures import KINDS, lineage, offers
from rag.features.eligibility import eligibility_answer, measures_for, strongest
from rag.ingest.glossary import english_department
from rag.query.analysis import asked_article
from rag.reading.completion import completed, with_parallel
from rag.reading.direct_answer import best_fragments, short_answer, value_of
from rag.reading.extractive import compose, english_figure, intents_of, key_figure, score_sentences
from rag.reading.lookup import article_answer, facts_answer
from rag.verify.checks import check_answer

# below this share of the question's terms a sentence is not quoted beside a better one (another
# region in a comparison, a corroborating document, the figure behind a false premise); whether
# the best sentence answers at all is the answerability model's decision
MIN_OVERLAP = 0.30
# an English question's terms are dictionary translations, which match the corpus's wording
# less often than a Chinese question's own words
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
                    max_chars: int = 2000, writer=None, models: Models | None = None) -> Answer:
    """A cited Answer. ``writer`` (optional) is an LLM writer (rag.llm.writer.LLMWriter): it writes the
    answer from the clauses the extractive chain found relevant; the extractive answer is kept
    when the writer's answer cites nothing that survives the number check. The answer ends
    with a line on any quoted text that is not in force (rag.answering.in_force).
    ``models``: the sentence ranker and the answerability model (default: the committed fitted
    ones, rag.answering.answerability).

    The question is read once (rag.answering.question); the definitions (DEFINITIONS) are tried
    in order, and the first that applies answers; else the reader finds the best sentences and
    the answerability model decides whether they answer."""
    q = Question.read(question, retriever, region, history, max_chars)
    answer = next((a for rule in DEFINITIONS if (a := rule(q, retriever)) is not None), None)
    if answer is None:
        answer = _read(q, retriever, writer, models or Models.committed())
    return with_version_notes(answer, retriever, asked_article(answer.question))


def place_not_covered(q: Question, retriever) -> Answer | None:
    """The question names a place no document of the library covers, and no region it does."""
    if not q.found.unknown_places or q.regions:
        return None
    text = PLACE_NOT_COVERED[q.language].format(places="、".join(q.found.unknown_places), regions=q.every_region)
    return Answer(text, [], True, _related(retriever, q.query, []), question=q.text, language=q.language)


def not_a_question(q: Question, retriever) -> Answer | None:
    """An instruction to the assistant, or code, not a question about the documents."""
    if not q.analysis.not_about_documents:
        return None
    return Answer(NOT_A_QUESTION[q.language], [], True, [], question=q.text, language=q.language)


def article_or_dates(q: Question, retriever) -> Answer | None:
    """An article asked for by number, or a document's own dates, read off the documents
    ("no such article" is our statement, not a document's: unchecked)."""
    analysis, nodes = q.analysis, None
    found = None
    if analysis.asks_article:
        nodes = retriever.current_nodes(q.query)
        found = article_answer(analysis, nodes, q.regions, q.language, q.text)
    if found is None and analysis.asks_document_facts:
        found = facts_answer(analysis, nodes or retriever.current_nodes(q.query), q.regions, q.language, q.text)
    return found if found is None or found.abstained else check_answer(found)


def applicant_measures(q: Question, retriever) -> Answer | None:
    """A broad eligibility question of one region ("我们是眉山的科技型中小企业，能享受哪些支持？"):
    the strongest measures for the applicant, by the engine of the Eligibility tab and
    `rag eligible`; None for a question with a topic of its own.

    The answer quotes verbatim with the verdict and period read from the metadata: nothing
    generated to check (the number check would take the plan's years for claims the clause does
    not make)."""
    kind = q.analysis.applicant
    if not kind or len(q.regions) != 1:
        return None
    region = q.regions[0]
    verdicts = measures_for(retriever.nodes, region, kind, regions=retriever.scope([region]))
    named = [w for k in lineage(kind) for w in KINDS[k][0]]  # the applicant's own words: no topic
    own = [t for t in q.terms if not any(t in w or w in t for w in named) and not offers(t)
           and t not in QUESTION_WORDS]
    if any(len(t) > 1 for t in own):  # a topic of its own (招收高校毕业生): the reader answers it
        return None
    return eligibility_answer(strongest(verdicts, own, kind), retriever.by_id, region, kind, q.language, q.text)


def outside_the_period(q: Question, retriever) -> Answer | None:
    """The years asked about lie outside every plan asked about."""
    outside = outside_period(q.analysis, retriever.nodes, q.regions, q.language)
    if not outside:
        return None
    return Answer(outside, [], True, _related(retriever, q.query, q.regions), question=q.text, language=q.language)


# Definitions, tried in order: each answers from what the question and the documents are, not
# from how well a sentence matches (rag/answering/answerability.py weighs that).
DEFINITIONS = (place_not_covered, not_a_question, article_or_dates, applicant_measures, outside_the_period)


def _read(q: Question, retriever, writer, models: Models) -> Answer:
    """The reader: the best sentences of each region asked, and the answerability model's
    decision on them."""
    question, language, query, regions, terms = q.text, q.language, q.query, q.regions, q.terms
    if language == "en":
        unknown = unknown_english_concepts(retriever.bridge.groups(query), set(retriever.region_groups))
    else:
        unknown = unknown_concepts(q.basis, retriever.vocabulary, retriever.corpus_text, set(retriever.region_groups))

    groups_to_answer = [[r] for r in regions] if len(regions) > 1 else [regions]
    chosen: list[Evidence] = []
    read: list = []  # every clause read, for the LLM writer's context
    best: list[Evidence] = []  # the best sentence of each region group read
    considered: list[Evidence] = []  # every sentence ranked
    vectors = retriever.sentence_vectors
    similarity = vectors.similarity(query) if vectors is not None else None
    for group in groups_to_answer:
        nodes = retriever.evidence(query, group, top_k=retriever.top_k)
        read.extend(nodes)
        ranked = score_sentences(terms, nodes, q.wants_quantity, intents_of(query), q.basis, q.spans, similarity,
                                 language, retriever.rarity, models.ranker)
        if AMOUNT_WORDS.search(query):  # an amount is answered by a sentence that states one
            ranked = [ev for ev in ranked if has_figure(ev.sentence) and ev.coverage >= _floor(language)] or ranked
        if not ranked:
            continue
        considered.extend(ranked)
        best.append(ranked[0])
        # a comparison quotes the regions whose documents speak to the question, not every region asked
        if len(groups_to_answer) > 1 and ranked[0].coverage < _floor(language):
            continue
        top = with_parallel(ranked[0], ranked) if q.analysis.kind == "list" else ranked[0]
        chosen.append(completed(top, intents_of(query), retriever.parts_of(top.node)))
        if len(groups_to_answer) == 1 and len(group) != 1:
            chosen.extend(_corroborating(ranked, q.wants_quantity, terms))

    best_coverage = max([ev.coverage for ev in best], default=0.0)
    unstated = unstated_figure(query, chosen, q.found.places, terms) if chosen else None
    signals = _signals(language, best, chosen, unknown, unstated, query, regions, terms, similarity)
    confidence = models.answerability.probability(signals) if chosen else 0.0
    if not chosen or not models.answerability.answers(signals):
        # the reason shown is the signal that speaks most plainly: a concept no document
        # mentions, else a figure the clauses do not state, else nothing found
        if unknown.words:
            text, related = CONCEPT_NOT_COVERED[language].format(terms="、".join(unknown.words)), None
        elif unstated is not None:
            text, related = unstated[language], [citation_for(ev.node, i) for i, ev in enumerate(chosen, 1)]
        else:
            text, related = NOT_COVERED[language].format(regions=q.scope), None
        related = related if related is not None else _related(retriever, query, regions)
        return Answer(text, [], True, related, question=question, language=language, coverage=best_coverage,
                      confidence=confidence, signals=signals, read=considered)

    citations, numbered = [], []
    for ev in chosen:
        citations.append(citation_for(ev.node, len(citations) + 1))
        numbered.append((ev, citations[-1].n))
    direct = short_answer(numbered, q.analysis.kind, language, terms,
                          lambda name: _english_unit(name, retriever.departments), query, q.analysis.units)
    lead = ("答：" if language == "zh" else "Answer: ") + direct
    answer = check_answer(Answer(lead + "\n" + compose(numbered, language, terms, regions), citations, False,
                                 question=question, language=language, coverage=best_coverage,
                                 confidence=confidence, signals=signals, read=considered))
    answer.short_answer = direct if lead in answer.text else ""
    if writer is not None:
        answer = written_by_llm(writer, answer, question, language, _context(chosen, read, writer.max_clauses),
                                q.scope)
    # a figure the question takes for granted that no cited clause states (a false premise);
    # added after the check, which would drop it: it is a correction, not a claim
    wrong = unsupported_numbers(without_years(question), [c.text for c in answer.citations])
    if wrong and not answer.abstained:
        note = _premise_note(question, wrong, answer, retriever, regions or q.found.regions, language, models.ranker)
        if note:
            answer.text += "\n" + note
    if not answer.abstained and doubt(confidence, language):
        answer.text += "\n" + doubt(confidence, language)
    if q.fixes:
        answer.text += "\n" + READ_AS[language].format(
            fixes="、".join(READ_AS_ONE[language].format(typo=t, word=w) for t, w in q.fixes.items()))
    return answer


def _floor(language: str) -> float:
    return MIN_OVERLAP if language == "zh" else MIN_OVERLAP_EN


def _signals(language: str, best: list[Evidence], chosen: list[Evidence], unknown, unstated, query: str,
             regions: list[str], terms: list[str], similarity) -> Signals:
    """The answerability model's view of the chain's best reading."""
    top = max(best, key=lambda ev: ev.overlap, default=None)
    others = [ev for ev in chosen if top is not None and ev.node.metadata.get("doc_id") != top.node.metadata.get("doc_id")]
    return Signals(
        english=float(language == "en"),
        coverage=top.coverage if top else 0.0,
        score=top.overlap if top else 0.0,
        similarity=similarity(top.sentence) if top and similarity is not None else 0.0,
        unknown_share=unknown.share,
        figure_unstated=float(unstated is not None),
        asks_amount=float(bool(AMOUNT_WORDS.search(query))),
        region_named=float(bool(regions)),
        clause_rank=float(top.rank) if top else 10.0,
        terms=math.log1p(len(terms)),
        second_document=float(any(ev.coverage >= top.coverage for ev in others)),
    )


def _premise_note(question: str, wrong: list[str], answer: Answer, retriever, regions: list[str],
                  language: str, ranker) -> str:
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
    basis, terms, spans = question_terms(premise, language, retriever.region_groups, retriever.bridge)
    nodes = retriever.evidence(premise, regions, top_k=retriever.top_k) if terms else []
    vectors = retriever.sentence_vectors
    similarity = vectors.similarity(premise) if vectors is not None and nodes else None
    ranked = score_sentences(terms, nodes, True, [], basis, spans, similarity, language, retriever.rarity, ranker)
    stating = [ev for ev in ranked if ev.coverage >= _floor(language) and has_figure(ev.sentence)]
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
