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
from rag.answering.premise import premise_note
from rag.answering.question import Question
from rag.core.model import Answer, Citation, Evidence
from rag.core.numbers import unsupported_numbers
from rag.core.vocabulary import QUALIFIER_AFTER, QUALIFIER_BEFORE
from rag.extract.measures import KINDS, lineage, offers
from rag.features.eligibility import eligibility_answer, measures_for, strongest
from rag.query.analysis import asked_article
from rag.reading.completion import completed, with_parallel
from rag.reading.direct_answer import short_answer
from rag.reading.extractive import compose, intents_of, key_figure, score_sentences
from rag.reading.lookup import article_answer, facts_answer
from rag.reading.sentence_ranker import FEATURES
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
        found = article_answer(analysis, nodes, q.regions, q.language, q.text, retriever.english)
    if found is None and analysis.asks_document_facts:
        found = facts_answer(analysis, nodes or retriever.current_nodes(q.query), q.regions, q.language, q.text,
                             retriever.english)
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
    outside = outside_period(q.analysis, retriever.document_metadata.values(), q.regions, q.language)
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
        unknown = unknown_english_concepts(retriever.bridge.groups(query), set(retriever.region_groups),
                                           retriever.english_covers)
    else:
        unknown = unknown_concepts(q.basis, retriever.vocabulary, retriever.corpus_text, set(retriever.region_groups))

    groups_to_answer = [[r] for r in regions] if len(regions) > 1 else [regions]
    intents = intents_of(query)
    asks_amount = bool(AMOUNT_WORDS.search(query))
    tops: list[tuple[Evidence, list[Evidence]]] = []  # each region group's best sentence, with its ranking
    clauses_read: list = []  # every clause read, for the LLM writer's context
    ranked_all: list[Evidence] = []  # every sentence ranked
    vectors = retriever.sentence_vectors
    similarity = vectors.similarity(query) if vectors is not None else None
    for group in groups_to_answer:
        nodes = retriever.evidence(query, group, top_k=retriever.top_k)
        clauses_read.extend(nodes)
        ranked = score_sentences(terms, nodes, q.wants_quantity, intents, q.basis, q.spans, similarity,
                                 language, retriever.rarity, ranker=models.ranker)
        if asks_amount:  # an amount is answered by a sentence that states one
            ranked = [ev for ev in ranked if has_figure(ev.sentence) and ev.coverage >= _floor(language)] or ranked
        if ranked:
            ranked_all.extend(ranked)
            tops.append((ranked[0], ranked))
    # a comparison quotes the regions whose documents speak to the question, not every region
    # asked; when none does, the best of them is read, and the model decides
    quoted = [t for t in tops if t[0].coverage >= _floor(language)] if len(groups_to_answer) > 1 else tops
    quoted = quoted or sorted(tops, key=lambda t: -t[0].overlap)[:1]
    chosen: list[Evidence] = []
    for top, ranked in quoted:
        best = with_parallel(top, ranked) if q.analysis.kind == "list" else top
        chosen.append(completed(best, intents, retriever.parts_of(best.node)))
        if len(groups_to_answer) == 1 and len(groups_to_answer[0]) != 1:
            chosen.extend(_corroborating(ranked, q.wants_quantity, terms))

    best_coverage = max([t[0].coverage for t in tops], default=0.0)
    unstated = unstated_figure(query, chosen, q.found.places, terms) if chosen else None
    signals = _signals(language, [t[0] for t in quoted], chosen, unknown, unstated, asks_amount, regions, terms)
    confidence = models.answerability.probability(signals) if chosen else 0.0
    if not chosen or not models.answerability.answers(signals):
        # the reason shown is a fact the chain found, the plainest first: words of the question
        # no document contains, a figure the clauses do not state, else nothing found
        if unknown.words:
            text, related = CONCEPT_NOT_COVERED[language].format(terms="、".join(unknown.words)), None
        elif unstated is not None:
            text, related = unstated[language], [citation_for(ev.node, i) for i, ev in enumerate(chosen, 1)]
        else:
            text, related = NOT_COVERED[language].format(regions=q.scope), None
        related = related if related is not None else _related(retriever, query, regions)
        return Answer(text, [], True, related, question=question, language=language, coverage=best_coverage,
                      confidence=confidence, signals=signals, ranked=ranked_all)

    citations, numbered = [], []
    for ev in chosen:
        citations.append(citation_for(ev.node, len(citations) + 1))
        numbered.append((ev, citations[-1].n))
    direct = short_answer(numbered, q.analysis.kind, language, terms,
                          retriever.english, query, q.analysis.units)
    lead = ("答：" if language == "zh" else "Answer: ") + direct
    answer = check_answer(Answer(lead + "\n" + compose(numbered, language, terms, regions), citations, False,
                                 question=question, language=language))
    answer.short_answer = direct if lead in answer.text else ""
    if writer is not None:
        answer = written_by_llm(writer, answer, question, language, _context(chosen, clauses_read, writer.max_clauses),
                                q.scope)
    # the decision is the model's whoever wrote the text
    answer.coverage, answer.confidence, answer.signals, answer.ranked = best_coverage, confidence, signals, ranked_all
    # a figure the question takes for granted that no cited clause states (a false premise);
    # added after the check, which would drop it: it is a correction, not a claim
    wrong = unsupported_numbers(without_years(question), [c.text for c in answer.citations])
    if wrong and not answer.abstained:
        note = premise_note(question, wrong, answer, retriever, regions or q.found.regions, language, models.ranker,
                            _floor(language))
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


# the clause rank a reading with no sentence is given (beyond any retrieved clause)
NOTHING_RANKED = 10.0


def _signals(language: str, quoted: list[Evidence], chosen: list[Evidence], unknown, unstated, asks_amount: bool,
             regions: list[str], terms: list[str]) -> Signals:
    """The answerability model's view of the chain's best reading: the best of the sentences
    it quotes for the regions asked."""
    top = max(quoted, key=lambda ev: ev.overlap, default=None)
    others = [ev for ev in chosen if top is not None and ev.node.metadata.get("doc_id") != top.node.metadata.get("doc_id")]
    return Signals(
        english=float(language == "en"),
        coverage=top.coverage if top else 0.0,
        score=top.overlap if top else 0.0,
        similarity=top.features[FEATURES.index("similarity")] if top else 0.0,
        unknown_share=unknown.share,
        figure_unstated=float(unstated is not None),
        asks_amount=float(asks_amount),
        region_named=float(bool(regions)),
        clause_rank=float(top.rank) if top else NOTHING_RANKED,
        terms=math.log1p(len(terms)),
        second_document=float(any(ev.coverage >= top.coverage for ev in others)),
    )


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


def _context(chosen: list[Evidence], clauses_read: list, most: int) -> list:
    """The clauses an LLM writer sees: the chosen ones first, then the others read, no repeats."""
    out, seen = [], set()
    for node in [ev.node for ev in chosen] + clauses_read:
        if node.node_id not in seen:
            seen.add(node.node_id)
            out.append(node)
    return out[:most]


def _related(retriever, query: str, regions: list[str]) -> list[Citation]:
    """The nearest clauses, shown (not cited) when the answer abstains."""
    return [citation_for(r.node, i) for i, r in enumerate(retriever.search(query, regions, top_k=3), 1)]


def _unit(figure: str | None) -> str:
    return re.sub(rf"[\d.\-—～~\s]|{QUALIFIER_BEFORE}|达到|{QUALIFIER_AFTER}|前", "", figure or "")
