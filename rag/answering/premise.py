"""A figure the question takes for granted that no cited clause states (a false premise):
the correction line, with the figure the documents give for the same thing."""
from __future__ import annotations

import re

from rag.answering.abstention import has_figure
from rag.answering.question import question_terms
from rag.core.model import Answer, Citation
from rag.core.numbers import arabic_numerals, numbers_in, unsupported_numbers
from rag.extract.english import english_figures
from rag.extract.facts import facts_of
from rag.reading.direct_answer import best_fragments, value_of
from rag.reading.extractive import score_sentences

PREMISE = {
    "zh": "注意：文件中没有“{wrong}”这一数字，原文规定见上。",
    "en": "Note: the documents do not state {wrong}; the source says otherwise (quoted above).",
}
# the figure the documents give where the question assumes another (a false premise)
PREMISE_INSTEAD = {
    "zh": "注意：文件中没有“{wrong}”这一数字，文件规定的是{figure}：“{quote}”[{n}]",
    "en": "Note: the documents do not state {wrong}; they give {figure}: “{quote}” [{n}]",
}


def premise_note(question: str, wrong: list[str], answer: Answer, retriever, regions: list[str],
                 language: str, ranker, floor: float) -> str:
    """The correction of a figure the question takes for granted: the figure the documents
    give for the same thing (the sentence best matching the part of the question that states
    the wrong figure, among those stating a figure), quoted and cited (its clause added to the
    answer's citations when not yet there); else only that the documents do not state it; ""
    when they do state it after all, in a clause the answer does not cite. ``floor``: the share
    of the premise's terms a sentence must cover to be read as stating its figure."""
    premise = next((part for part in re.split(r"[，,。？?；;—–]|\s-\s", question)
                    if any(n in unsupported_numbers(part, []) for n in wrong)), "")
    # the wrong figures as the question writes them (50亿元, not 5000000000)
    stated = [f for f in facts_of(arabic_numerals(premise)).figures if set(numbers_in(f.text)) & set(wrong)]
    numbers = "、".join(dict.fromkeys(f.text for f in stated)) or "、".join(wrong)
    basis, terms, spans = question_terms(premise, language, retriever.region_groups, retriever.bridge)
    nodes = retriever.evidence(premise, regions, top_k=retriever.top_k) if terms else []
    vectors = retriever.sentence_vectors
    similarity = vectors.similarity(premise) if vectors is not None and nodes else None
    ranked = score_sentences(terms, nodes, True, [], basis, spans, similarity, language, retriever.rarity,
                             ranker=ranker)
    stating = [ev for ev in ranked if ev.coverage >= floor and has_figure(ev.sentence)]
    if stating and not unsupported_numbers(" ".join(wrong), [stating[0].sentence]):
        return ""  # the documents do state it, only not in the clauses the answer cites
    if not stating:
        return PREMISE[language].format(wrong=numbers)
    best = stating[0]
    figure = value_of(best, "figure", terms, premise, tuple(dict.fromkeys(f.unit for f in stated if f.unit)))
    if language == "en":
        figure = english_figures(figure)
    quote = best_fragments(best.sentence, terms)
    cited = next((c for c in answer.citations if c.doc_id == best.node.metadata.get("doc_id")
                  and c.clause_path == best.node.metadata.get("clause_path")), None)
    if cited is None:
        cited = Citation.of_node(best.node, len(answer.citations) + 1)
        answer.citations.append(cited)
    return PREMISE_INSTEAD[language].format(wrong=numbers, figure=figure, quote=quote, n=cited.n)
