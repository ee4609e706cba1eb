"""The extractive reader: no LLM, deterministic and fast.

It describes every sentence of the retrieved clauses by the share of the question it covers
(plainly and with rare words weighing more), its closeness in meaning and what is asked (a
figure, a department, a date), ranks them by the fitted sentence ranker
(rag.reading.sentence_ranker) and quotes the best with its clause label.
"""
from __future__ import annotations

import re

from rag.core.model import Evidence, work_title
from rag.core.numbers import numbers_in
from rag.core.vocabulary import CN_DIGITS, ITEM_MARKER, SENTENCE
from rag.extract.english import english_figures
from rag.extract.facts import figures
from rag.extract.injection import addressed_to_model
from rag.ingest.metadata import is_legislative_record
from rag.query.analysis import title_spelled
from rag.reading.sentence_ranker import SentenceRanker

QUANTITY_WORDS = re.compile(r"多少|几|比例|目标|how (much|many)|share|percent|target|what (cut|proportion)|minimum|amount",
                            re.I)
def heading_like(sentence: str) -> bool:
    return bool(re.match(rf"^([{CN_DIGITS}]+、|{ITEM_MARKER}|\d+\s*[.．、](?!\d))", sentence))


# What kind of answer a question wants, and how a sentence that gives it looks
# (a feature of the sentence ranker).
INTENTS = {
    "department": (re.compile(r"哪个部门|哪些部门|什么部门|哪个单位|哪些单位|牵头|责任单位|责任部门|负责|"
                              r"\bwho\b|which (department|agency|bureau|body|unit|office)|responsible|\bleads?\b", re.I),
                   re.compile(r"责任单位|责任部门|牵头|[省市州县][\u4e00-\u9fff]{1,10}?(厅|局|委|办|院)")),
    "deadline": (re.compile(r"什么时候|何时|哪年|期限|时间|\bwhen\b|deadline|by what date", re.I),
                 re.compile(r"\d{4}年(\d{1,2}月)?(底|前|启动)|月底|日前|时间进度|时间安排")),
}


def sentences_of(text: str, kind: str = "") -> list[str]:
    """The units an answer quotes: sentences, or a whole annex-table row (its cells belong
    together). A sentence addressed to a model (rag.extract.injection) is never quoted as an answer;
    the clause view still shows it as the document's text."""
    units = [text.strip()] if kind == "table_row" else [s.strip() for s in SENTENCE.findall(text) if len(s.strip()) > 1]
    return [u for u in units if not addressed_to_model(u)]


def intents_of(question: str) -> list[re.Pattern]:
    return [sentence for asks, sentence in INTENTS.values() if asks.search(question)]


def term_spans(basis: str, terms: list[str]) -> dict[str, set[int]]:
    """The characters of the question each term stands for (every occurrence)."""
    lowered = basis.lower()
    spans: dict[str, set[int]] = {}
    for term in set(terms):
        chars: set[int] = set()
        for m in re.finditer(re.escape(term), lowered):
            chars.update(range(m.start(), m.end()))
        spans[term] = chars or {-hash(term)}  # a term not spelled in the basis still counts once
    return spans


def score_sentences(question_terms: list[str], nodes: list, wants_quantity: bool,
                    intents: list[re.Pattern] | None = None, basis: str = "",
                    spans: dict[str, set[int]] | None = None,
                    similarity=None, language: str = "zh", rarity=None, *, ranker: SentenceRanker) -> list[Evidence]:
    """Every sentence of the retrieved clauses, best first, by the sentence ranker
    (rag.reading.sentence_ranker) over its features (in the order of its FEATURES).

    Coverage counts question characters, not terms: jieba's search mode yields 科技成果 and
    also 科技 and 成果, and a sentence should not score twice for one word. ``spans`` (term →
    the question characters it stands for) is given for an English question, whose terms are
    translations of its words. ``similarity`` (sentence → cosine to the question, from a
    multilingual sentence embedder) lets a paraphrase win. ``rarity`` (term → weight, higher
    for terms in fewer clauses) counts a rare word of the question (医疗卫生机构) above one
    every clause has (科技成果转化).
    """
    spans = spans if spans is not None else term_spans(basis or " ".join(question_terms), question_terms)
    total = len(set().union(*spans.values())) if spans else 0
    weights = _char_weights(spans, rarity) if rarity is not None else None
    english = float(language == "en")
    asked = f"{basis} {' '.join(question_terms)}".lower()
    out = []
    for rank, node in enumerate(nodes):
        named = title_spelled(node.metadata, asked)
        sentences = sentences_of(node.text, node.metadata.get("kind", ""))
        openings = _compound_openings(sentences)
        titles = {node.metadata.get("title") or None, node.metadata.get("notice_title") or None}
        for i, sentence in enumerate(sentences):
            if sentence.strip(" 。\n") in titles or is_legislative_record(sentence):
                continue  # the document's title and its legislative history state no rule
            coverage = _covered(sentence.lower(), spans) / max(1, total)
            subject = ""
            if coverage and openings[i] is not None:
                together = _covered((openings[i] + sentence).lower(), spans) / max(1, total)
                if together > coverage:
                    coverage, subject = together, openings[i]
            near = similarity(sentence) if similarity is not None else 0.0
            features = (
                coverage,
                coverage if weights is None else _weighted((subject + sentence).lower(), spans, weights),
                float(wants_quantity and bool(numbers_in(sentence))),
                float(any(p.search(sentence) for p in intents or [])),
                near,
                english * near,
                english * coverage,
                float(rank),
                float(i == 0 and len(sentences) > 1 and len(sentence) <= 40 and heading_like(sentence)),
                len(sentence) / 100,
                named,
            )
            out.append(Evidence(rank, node, sentence, ranker.score(features), coverage, subject, features))
    out.sort(key=lambda e: -e.overlap)
    return out


def _compound_openings(sentences: list[str]) -> list[str | None]:
    """For each sentence, the first part of the compound sentence it continues (parts joined
    by "；", as a regulation's article states a rule and then its cases), else None. An item
    of an enumeration is not a continuation: its lead-in is added elsewhere."""
    out: list[str | None] = []
    opening: str | None = None
    for i, sentence in enumerate(sentences):
        continues = i > 0 and sentences[i - 1].endswith(("；", ";")) and not heading_like(sentence)
        out.append(opening if continues else None)
        if not continues:
            opening = sentence
    return out


def _char_weights(spans: dict[str, set[int]], rarity) -> dict[int, float]:
    """Each question character's weight: the rarity of the rarest corpus term covering it
    (a term no clause contains weighs nothing: no sentence can rank by it)."""
    weights: dict[int, float] = {}
    for term, chars in spans.items():
        w = rarity(term)
        for c in chars:
            weights[c] = max(weights.get(c, 0.0), w)
    return weights


def _weighted(text: str, spans: dict[str, set[int]], weights: dict[int, float]) -> float:
    total = sum(weights.values())
    return sum(weights.get(c, 0.0) for c in _covered_chars(text, spans)) / total if total else 0.0


def _covered(text: str, spans: dict[str, set[int]]) -> int:
    """How many question characters the terms found in ``text`` stand for."""
    return len(_covered_chars(text, spans))


def _covered_chars(text: str, spans: dict[str, set[int]]) -> set[int]:
    covered: set[int] = set()
    for term, chars in spans.items():
        if term in text:
            covered |= chars
    return covered


def key_figure(sentence: str, question_terms: list[str]) -> str | None:
    """The figure in a sentence nearest to the question's terms (with its qualifier; a range
    is one figure; years are dates, not figures)."""
    found = figures(sentence)
    if not found:
        return None
    positions = [sentence.find(t) for t in question_terms if t in sentence]
    if not positions:
        return found[0].text
    return min(found, key=lambda f: min(abs(f.start - p) for p in positions)).text


LEVEL_NAMES = {
    "national": ("国家级文件", "national document"),
    "province": ("省级文件", "provincial document"),
    "city": ("市（州）级文件", "city/prefecture document"),
    "county": ("县级文件", "county document"),
    "demonstration_zone": ("示范区文件", "zone document"),
}


def level_note(metadata: dict, language: str) -> str:
    """"省级文件，四川省" / "provincial document: 四川省": said when a statement comes from a
    document above the region asked about."""
    zh, en = LEVEL_NAMES.get(metadata.get("level", ""), ("上级文件", "higher-level document"))
    region = metadata.get("region", "")
    if language == "en":
        return f"{en}: {region}" if region else en
    return f"{zh}，{region}" if region else zh


def compose(evidence: list[tuple[Evidence, int]], language: str, question_terms: list[str],
            asked_regions: list[str] | None = None) -> str:
    """One line per cited statement: Chinese quotes the clause, English frames the quote with
    the region, the clause (Article 18 / 四、（五）1) and, for a document above the region
    asked about, its level."""
    lines = []
    for ev, n in evidence:
        m = ev.node.metadata
        number = m.get("clause_number", "")
        sentence = ev.sentence.rstrip("；;")
        above = bool(asked_regions) and m.get("region", "") not in asked_regions
        if language == "en":
            figure = key_figure(sentence, question_terms)
            region = m.get("region_en") or m.get("region", "")
            where = ", ".join(p for p in (region, english_clause(m), level_note(m, "en") if above else "") if p)
            said = english_figures(figure or "")
            lead = f"{said[:1].upper()}{said[1:]} ({where})" if said else where
            lines.append(f"{lead} — “{sentence}” [{n}]")
        else:
            level = f"（{level_note(m, 'zh')}）" if above else ""
            lines.append(f"根据{work_title(m)}{level}{number}：“{sentence}”[{n}]")
    return "\n".join(lines)


def english_clause(metadata: dict) -> str:
    """"Article 18 (第十八条)" for an article; the clause number as printed otherwise."""
    number = metadata.get("clause_number", "")
    article = metadata.get("article") or 0
    if article:
        return f"Article {article} ({number})"
    return number
