"""The default answer chain: question → regions → retrieval → evidence → cited answer.

Kept apart from pipeline.py (which wires stores and models) so that the rules of answering —
abstention, comparisons, follow-ups, false premises — read in one place.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

from rag.cite import Answer, Citation, arabic_numerals, check_answer, numbers_in, unsupported_numbers
from rag.errors import QuestionError
from rag.generate import (FIGURE, QUANTITY_WORDS, Evidence, compose, intents_of, key_figure, score_sentences,
                          sentences_of)
from rag.corpus import english_department
from rag.lookup import article_answer, facts_answer
from rag.short_answer import short_answer
from rag.question import analyse
from rag.retrieve import STOPWORDS, _jieba, match_regions, tokenize

# below this share of the question's terms found in the best sentence, the documents are
# taken not to answer the question (measured on eval/qa.jsonl, see README)
MIN_OVERLAP = 0.30
# an English question's units are dictionary translations, which match the corpus's wording
# less often than a Chinese question's own words (calibrated on the blind set, see README)
MIN_OVERLAP_EN = 0.20
FOLLOW_UP = re.compile(r"^(那|那么)?.{0,12}(呢|怎么样|如何)[？?]?$|^(what|how) about\b|^and\b", re.I)

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
# a question whose content words are mostly absent from every document asks about something
# the documents do not cover (a tax rate, a rent subsidy), however well its other words match
MAX_UNKNOWN_SHARE = 0.3
MAX_UNKNOWN_SHARE_EN = 0.3
PREMISE = {
    "zh": "注意：文件中没有“{wrong}”这一数字，原文规定见上。",
    "en": "Note: the documents do not state {wrong}; the source says otherwise (quoted above).",
}


def language_of(question: str) -> str:
    cjk = sum(1 for ch in question if "\u4e00" <= ch <= "\u9fff")
    return "zh" if cjk >= max(1, len(question.strip()) * 0.1) else "en"


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters; reject empty and over-long questions with a clear message."""
    if question is None:
        raise QuestionError("the question is empty")
    question = "".join(ch for ch in question if unicodedata.category(ch) != "Cc" or ch in "\n\t")
    # markup is never part of a policy question: drop scripts and tags, answer the words
    question = re.sub(r"<(script|style)\b.*?</\1\s*>", " ", question, flags=re.I | re.S)
    question = re.sub(r"</?[A-Za-z][^<>]*>", " ", question).strip()
    if not question:
        raise QuestionError("the question is empty")
    if len(question) > max_chars:
        raise QuestionError(f"the question is {len(question)} characters; the limit is {max_chars}")
    return question


def condense(question: str, history: list | None, groups: dict) -> tuple[str, list[str]]:
    """Resolve a follow-up against the previous question; returns (question, regions).

    A follow-up keeps what it leaves out and replaces what it states: "那江西呢？" asks the
    previous topic for a new region; "江西的奖励比例如何？" states a new topic and a new region
    and is asked as it stands; "奖励比例呢？" asks a new topic in the previous region."""
    regions = match_regions(question, groups).regions
    previous = _last_user_question(history)
    if not previous or not FOLLOW_UP.search(question.strip()) or len(question) >= 25:
        return question, regions
    previous_regions = match_regions(previous, groups).regions
    if _topic_of(question, groups):
        return question, regions or previous_regions
    if regions:
        return previous, regions
    return f"{previous} {question}", previous_regions


_FOLLOW_UP_WORDS = re.compile(r"^(那么|那)|呢|怎么样|如何|情况|的|[？?。，,\s]|^(what|how) about|^and\b|\bthen\b", re.I)


def _topic_of(question: str, groups: dict) -> str:
    """What a follow-up says besides region names and follow-up words ("奖励比例")."""
    rest = question.lower()
    for name in sorted(groups, key=len, reverse=True):
        rest = rest.replace(name, " ")
    rest = _FOLLOW_UP_WORDS.sub(" ", rest)
    words = [w for w in re.findall(r"[\u4e00-\u9fff]{2,}|[a-z]{3,}", rest) if w not in STOPWORDS]
    return " ".join(words)


def _last_user_question(history: list | None) -> str:
    for turn in reversed(history or []):
        if isinstance(turn, dict) and turn.get("role") == "user" and turn.get("content"):
            content = turn["content"]
            if isinstance(content, list):  # Gradio 6 message parts: [{"type": "text", "text": …}]
                content = " ".join(p.get("text", "") for p in content if isinstance(p, dict))
            return str(content)
        if isinstance(turn, (list, tuple)) and turn and turn[0]:
            return str(turn[0])
    return ""


citation_for = Citation.of_node


def answer_question(question: str, retriever, region: str | None = None, history: list | None = None,
                    max_chars: int = 2000, writer=None) -> Answer:
    """A cited Answer. ``writer`` (optional) is an LLM writer (rag.llm.LLMWriter): it writes the
    answer from the clauses the extractive chain found relevant; the extractive answer is kept
    when the writer's answer cites nothing that survives the number check."""
    question = clean_question(question, max_chars)
    language = language_of(question)
    groups = retriever.region_groups
    query, regions = condense(question, history, groups)
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
    looked_up = _looked_up(analysis, retriever.nodes, regions, language, question)
    if looked_up is not None:  # "no such article" is our statement, not a document's: unchecked
        return looked_up if looked_up.abstained else check_answer(looked_up)
    outside = _outside_period(analysis, retriever.nodes, regions, language)
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
        ranked = score_sentences(terms, nodes, wants_quantity, intents_of(query), basis, spans, similarity, language)
        if AMOUNT_WORDS.search(query):  # an amount is answered by a sentence that states one
            stating = [ev for ev in ranked if _has_figure(ev.sentence) and ev.coverage >= min_overlap]
            ranked = stating or ranked
        best_coverage = max([best_coverage] + [ev.coverage for ev in ranked[:1]])
        if ranked and ranked[0].coverage >= min_overlap:
            chosen.append(_complete(ranked[0], intents_of(query), retriever.parts_of(ranked[0].node)))
            if len(groups_to_answer) == 1 and len(group) != 1:
                chosen.extend(_corroborating(ranked, wants_quantity, terms))

    if not chosen:
        related = _related(retriever, query, regions)
        scope = "、".join(regions) if regions else all_regions
        return Answer(NOT_COVERED[language].format(regions=scope), [], True, related,
                      question=question, language=language, coverage=best_coverage)
    unstated = _unstated_figure(query, chosen, found.places, terms)
    if unstated is not None:
        related = [citation_for(ev.node, i) for i, ev in enumerate(chosen, 1)]
        return Answer(unstated[language], [], True, related, question=question, language=language)

    citations, numbered = [], []
    for ev in chosen:
        citations.append(citation_for(ev.node, len(citations) + 1))
        numbered.append((ev, citations[-1].n))
    direct = short_answer(numbered, analysis.kind, language, terms,
                          lambda name: _english_unit(name, retriever.departments))
    lead = ("答：" if language == "zh" else "Answer: ") + direct
    answer = check_answer(Answer(lead + "\n" + compose(numbered, language, terms, regions), citations, False,
                                 question=question, language=language, coverage=best_coverage))
    answer.short_answer = direct if lead in answer.text else ""
    if writer is not None:
        answer = _written(writer, answer, question, language, _context(chosen, read, writer.max_clauses),
                          "、".join(regions) if regions else all_regions)
    # a figure the question takes for granted that no cited clause states (a false premise);
    # added after the check, which would drop it: it is a correction, not a claim
    wrong = unsupported_numbers(_strip_years(question), [c.text for c in answer.citations])
    if wrong and not answer.abstained:
        answer.text += "\n" + PREMISE[language].format(wrong="、".join(wrong))
    return answer


# a question that asks for an amount ("how much", "多少") is answered by a figure, not by a
# sentence on the topic that gives none
AMOUNT_WORDS = re.compile(r"多少|几[个项家名次天年月人所件]|比例是|how (much|many|large|big|long)|what (percentage|share|"
                          r"proportion|amount|minimum|maximum)|which (percentage|share)", re.I)
NO_FIGURE = {
    "zh": "文件未给出这一数字：相关条款提到了这一事项，但没有规定具体数额或比例。以下条款可能相关，仅供参考。",
    "en": "The documents don't state this figure: the related clauses mention the matter but give no amount "
          "or share. They are listed below for reference, not as an answer.",
}
NO_BREAKDOWN = {
    "zh": "文件未给出{place}的数字：相关条款只有{scope}的规定，没有分解到{place}。以下条款仅供参考。",
    "en": "The documents don't give a figure for {place}: the related clauses state it for {scope} only, "
          "not broken down to {place}. They are listed below for reference.",
}


_CLAUSE_NUMBER = re.compile(r"第[一二三四五六七八九十百零〇\d]+[章节条款项]|^[（(]?[一二三四五六七八九十\d]+[）)、.．]")


_ASKED_UNIT_ZH = re.compile(r"(?:多少|几)\s*(万元|亿元|元|%|家|个|项|名|人|件|所|天|日|个月|年)")
_ASKED_UNIT_EN = [(re.compile(r"what (percentage|share|proportion|percent)|how much of", re.I), "%"),
                  (re.compile(r"how much (money|funding|subsidy|support|capital)|how (large|big) .{0,120}\b(fund|budget|"
                              r"investment|subsidy|grant|capital)s?\b", re.I), "元")]
_MONEY = ("元", "万元", "亿元")
_FRAGMENT = re.compile(r"[^，,；;。：:、（）()]+")


def asked_unit(query: str) -> str:
    """The unit an amount question asks in (多少万元 → 万元; what percentage → %), else ""."""
    m = _ASKED_UNIT_ZH.search(query)
    if m:
        return m.group(1)
    return next((unit for pattern, unit in _ASKED_UNIT_EN if pattern.search(query)), "")


def _states_asked_figure(ev: Evidence, unit: str, terms: list[str]) -> bool:
    """A fragment of the sentence gives a figure in the asked unit and shares a topic term."""
    money = unit in _MONEY
    for fragment in _FRAGMENT.findall(arabic_numerals(ev.sentence)):
        units = {m.group(3) for m in FIGURE.finditer(fragment) if m.group(3)}
        if (unit in units or (money and units & set(_MONEY))) and any(t in fragment for t in terms if len(t) > 1):
            return True
    return False


def _has_figure(sentence: str) -> bool:
    """A number other than a year or the clause's own numbering."""
    return bool(numbers_in(_CLAUSE_NUMBER.sub("", _strip_years(sentence))))


def _unstated_figure(query: str, chosen: list[Evidence], places: list[str], terms: list[str]) -> dict | None:
    """The abstention text when an amount question's best sentences state no figure (in the
    unit it asks for, beside its topic), or none for the place inside a region the question
    names (兰州市 in a Gansu plan); else None."""
    if not AMOUNT_WORDS.search(query):
        return None
    figures = [ev for ev in chosen if _has_figure(ev.sentence)]
    unit = asked_unit(query)
    if unit and unit != "%":
        topic = [t for t in terms if t not in _MONEY and t != unit]
        figures = [ev for ev in figures if _states_asked_figure(ev, unit, topic)]
    if not figures:
        return NO_FIGURE
    for place in places:
        short = re.sub(r"(市|州|县|区)$", "", place)
        if not any(short in ev.sentence for ev in figures):
            scope = "、".join(dict.fromkeys(ev.node.metadata.get("region", "") for ev in figures))
            return {k: v.format(place=place, scope=scope) for k, v in NO_BREAKDOWN.items()}
    return None


NOT_A_QUESTION = {
    "zh": "文件未涉及这一问题：这不是关于政策文件的问题（对助手的指令或代码不会被执行）。请就文件内容提问。",
    "en": "The documents don't cover this: it is not a question about the policy documents (instructions to "
          "the assistant and code are not followed). Please ask about what the documents say.",
}
OUTSIDE_PERIOD = {
    "zh": "文件未涉及这一时期：{docs}，没有规定{years}年的内容。以下条款仅供参考。",
    "en": "The documents don't cover that period: {docs}; they set nothing for {years}. "
          "Related clauses are listed below for reference.",
}


def _outside_period(analysis, nodes: list, regions: list[str], language: str) -> str:
    """Why the question's years lie outside every plan asked about ("…covers 2016—2020"),
    or "" when a document in scope covers them or states no period (a regulation)."""
    if analysis.years is None or not regions:
        return ""
    first, last = analysis.years
    periods: dict[str, str] = {}
    for node in nodes:
        m = node.metadata
        if m.get("region") in regions:
            periods.setdefault(m.get("title", ""), m.get("period", ""))
    if not periods or any(not p for p in periods.values()):
        return ""
    for period in periods.values():
        start, end = (int(y) for y in period.split("-"))
        if first <= end and last >= start:
            return ""
    years = f"{first}" if first == last else f"{first}—{last}"
    if language == "en":
        docs = "; ".join(f"{t} covers {p.replace('-', '–')}" for t, p in periods.items())
    else:
        docs = "；".join(f"《{t}》的规划期为{p.replace('-', '—')}年" for t, p in periods.items())
    return OUTSIDE_PERIOD[language].format(docs=docs, years=years)


def _english_unit(name: str, departments: dict[str, list[str]]) -> str:
    """省教育厅（牵头） → "Provincial Department of Education (省教育厅) (lead)"."""
    lead = name.endswith("（牵头）")
    name = name.removesuffix("（牵头）")
    return english_department(name, departments) + (" (lead)" if lead else "")


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


def _written(writer, extractive: Answer, question: str, language: str, nodes: list, scope: str) -> Answer:
    """The LLM writer's answer, or the extractive one (flagged) when the writer fails."""
    from rag.llm import LLMUnavailable

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


def _complete(ev: Evidence, intents: list, parts: list | None = None) -> Evidence:
    """When the question asks who or when and the chosen sentence names the topic but not the
    department or date, add the sentence of the same clause that does (e.g. the clause's
    closing "（省科技厅牵头，…）"), looking in every part of a clause split for length."""
    ev = _with_lead_in(_with_items(ev, parts or [ev.node]), parts or [ev.node])
    missing = [p for p in intents if not p.search(ev.sentence)]
    if not missing:
        return ev
    for node in parts or [ev.node]:
        for sentence in sentences_of(node.text, node.metadata.get("kind", "")):
            if sentence != ev.sentence and all(p.search(sentence) for p in missing):
                return replace(ev, sentence=f"{ev.sentence.rstrip('；;')}……{sentence}")
    return ev


_ITEM_LINE = re.compile(r"^([（(][一二三四五六七八九十\d]+[）)]|\d{1,2}[.．、])")


def _with_items(ev: Evidence, parts: list) -> Evidence:
    """A sentence that introduces an enumeration ("…负责下列工作：") is quoted with its items:
    the lead-in alone names what is listed, not the list."""
    if not ev.sentence.rstrip().endswith(("：", ":")):
        return ev
    text = "\n".join(node.text for node in parts)
    after = text[text.find(ev.sentence) + len(ev.sentence):] if ev.sentence in text else ""
    items = []
    for line in after.split("\n"):
        line = line.strip()
        if not line:
            continue
        if not _ITEM_LINE.match(line) or line in items:
            break
        items.append(line)
    return replace(ev, sentence=ev.sentence.rstrip() + "".join(items)) if items else ev


def _with_lead_in(ev: Evidence, parts: list) -> Evidence:
    """An item of an enumeration ("（三）…的，…提取不低于百分之五") is quoted after the sentence
    that introduces it ("…按照下列标准…给予奖励和报酬："): alone it does not say what it is."""
    if not _ITEM_LINE.match(ev.sentence):
        return ev
    text = "\n".join(node.text for node in parts)
    at = text.find(ev.sentence)
    if at < 0:
        return ev
    for line in reversed(text[:at].split("\n")):
        line = line.strip()
        if line and not _ITEM_LINE.match(line):
            if line.endswith(("：", ":")):
                lead = line.split("。")[-1] if "。" in line else line
                return replace(ev, sentence=f"{lead}……{ev.sentence}")
            break
    return ev


def _unit(figure: str | None) -> str:
    return re.sub(r"[\d.\-—～~\s]|至少|不低于|不少于|超过|突破|达到|力争|以上|左右|以内|前", "", figure or "")


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


def unknown_concepts(basis: str, vocabulary: set[str], corpus_text: str, names: set[str]) -> list[str]:
    """The question's content words that appear nowhere in the indexed clauses, when they make
    up at least MAX_UNKNOWN_SHARE of the question's content (by characters); else [].

    Content words are jieba's nouns, verbs, adjectives and set phrases (not numerals, measure
    words, particles or place names, which the region check handles). A word is known when it
    is a search token of some clause or occurs in the clause text at all (jieba cuts a question
    differently from a clause).
    """
    import jieba.posseg as pseg

    _jieba()  # quiet jieba before its first use
    words = [p.word for p in pseg.cut(basis.lower())
             if len(p.word) >= 2 and not p.word.isascii() and p.flag.startswith(CONTENT_FLAGS)
             and p.flag not in ("ns", "nr") and p.word not in STOPWORDS and p.word not in names
             and p.word not in QUESTION_WORDS]
    # only established dictionary words can name a concept; jieba's guesses at a question's
    # run-on characters (人能, 分到) are not concepts a document could have stated
    freq = _jieba().dt.FREQ
    missing = [w for w in words if w not in vocabulary and w not in corpus_text
               and (freq.get(w) or 0) >= MIN_WORD_FREQ]
    return _if_large_share(missing, words)


def unknown_english_concepts(groups: list, names: set[str]) -> list[str]:
    """As unknown_concepts, for an English question: a unit the dictionary translates is
    unknown when none of its translations occurs in any indexed clause (rag.bilingual).
    Region names are left out, as the region check handles them."""
    known = [g for g in groups if g.translated and g.english not in names]
    missing = [g.english for g in known if g.absent]
    # a dictionary's senses miss the corpus's wording more often than jieba's words do:
    # English asks for a larger share
    return _if_large_share(missing, [g.english for g in known], MAX_UNKNOWN_SHARE_EN)


def _if_large_share(missing: list[str], words: list[str], share: float = None) -> list[str]:
    """``missing`` when it is at least ``share`` of ``words`` by characters, else []."""
    share = MAX_UNKNOWN_SHARE if share is None else share
    total = sum(len(w) for w in words)
    return missing if total and sum(len(w) for w in missing) / total >= share else []


MIN_WORD_FREQ = 10
CONTENT_FLAGS = ("n", "v", "a", "b", "l", "j", "i")
# interrogatives and the asker's own frame words: what a question asks with, not what about
QUESTION_WORDS = set("为什么 哪个 哪些 哪里 哪年 哪一 什么 多少 怎么 怎样 如何 是否 能否 可否 有没有 分别 "
                     "请问 我们 我们是 他们 能够 应该 何时 什么时候".split())


def _strip_years(text: str) -> str:
    return re.sub(r"(19|20)\d\d年?", "", text)
