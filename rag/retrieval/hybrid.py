"""Hybrid retrieval: BM25 over jieba tokens and vector search, fused by weighted RRF, over
the documents that apply to the regions asked (the regions, those above them and national
ones) and one version of each work (the one in force, or the one of the year asked).
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from rag.core.vocabulary import ENGLISH_WORD
from rag.core.words import SEARCH_TERMS_KEY, search_terms, tokenize
from rag.extract.english import EnglishReader, reader_for
from rag.index.library_text import LibraryText
from rag.index.senses import SenseChooser
from rag.index.store import Snapshot
from rag.index.versions import versions_not_read, versions_of
from rag.places.matching import match_regions
from rag.query.analysis import asked_years
from rag.query.english import ENGLISH_STOPWORDS, is_english
from rag.query.spelling import Homophones
from rag.retrieval.reusable import Reusable
from rag.retrieval.term_index import term_index

RRF_K = 60
BRIDGE_CONTEXT = 24  # sentences nearest an English question that pick among a word's translations
VECTOR_WEIGHT = 0.5  # the vector ranking counts half of BM25 in the fusion (docs/measurements.md: 1.0, 0.7, 0.5, 0.3 compared)
# an English question is also searched over the clauses' English views when the query-side
# bridge leaves one of its words without a Chinese term (always: fewer answers right on the
# corpus; bench/english_view.py measures retrieval)
ENGLISH_WEIGHT = 1.0


class HybridRetriever(BaseRetriever):
    """BM25 (jieba) + vector (Chroma) fused by reciprocal rank, within optional regions.

    Built from one snapshot of the store; a serving process builds a new one when the index's
    generation changes (rag.pipeline.snapshot.make_retriever), never changes this one.
    """

    def __init__(self, snapshot: Snapshot, embedder, top_k: int = 5, candidates: int = 40,
                 glossary: dict[str, list[str]] | None = None,
                 region_groups: dict[str, list[str]] | None = None,
                 parents: dict[str, str] | None = None, sentence_vectors=None,
                 departments: dict[str, list[str]] | None = None, sentence_units=None,
                 previous: Reusable | None = None):
        """``previous``: what the last snapshot's retriever did on the chunks and documents both
        share (their terms, English words, headwords, reader units), reused."""
        super().__init__()
        # chunks → the units the reader scores (rag.pipeline.snapshot.reader_sentences): what the
        # English bridge reads its context from
        self.sentence_units = sentence_units
        self.departments = departments or {}  # official names: Chinese → standard English
        self.sentence_vectors = sentence_vectors  # rag.index.sentence_vectors.SentenceVectors, for the reader
        self.glossary = glossary or {}
        self.catalog_groups = region_groups or {}
        self.catalog_parents = parents or {}
        # one snapshot of the store (rag.index.store.ClauseStore.snapshot), vectors included: every
        # question this retriever answers reads the same version of every document
        self.snapshot, self.embedder = snapshot, embedder
        self.top_k, self.candidates = top_k, candidates
        self._build(previous)

    def reusable(self) -> Reusable:
        """What the next snapshot's retriever may take from this one."""
        return Reusable(self.snapshot, self.bm25, self.english_bm25, self.english_lines, self.departments,
                        self.bridge.corpus.headwords_of, self.units_of)

    def _build(self, previous: Reusable | None) -> None:
        from rag.index.store import EXCLUDED_FROM_SEARCH
        from rag.places.regions import with_indexed_regions
        from rag.query.english import Bridge

        self._mark_versions()
        searchable = [n.metadata.get("kind") not in EXCLUDED_FROM_SEARCH for n in self.snapshot.nodes]
        self.nodes: list[TextNode] = [n for n, keep in zip(self.snapshot.nodes, searchable) if keep]
        self._vectors = self.snapshot.vectors[np.array(searchable, dtype=bool).reshape(-1)]  # a copy
        if self._vectors.size:  # normalised in place
            norms = np.linalg.norm(self._vectors, axis=1, keepdims=True)
            self._vectors /= np.where(norms == 0, 1, norms)
        self.by_id = {n.node_id: n for n in self.nodes}
        # doc id → its first searchable chunk's metadata, documents in the chunks' order
        self.document_metadata: dict[str, dict] = {}
        for node in self.nodes:
            self.document_metadata.setdefault(node.metadata.get("doc_id"), node.metadata)
        self._other_versions: dict[tuple | None, frozenset[str]] = {}  # asked years → other_versions
        self._parts: dict[tuple, list[TextNode]] | None = None  # (doc id, clause path) → its parts
        ids = [n.node_id for n in self.nodes]
        self.bm25 = term_index(ids, lambda i: chunk_terms(self.nodes[i]), previous.bm25 if previous else None)
        self.vocabulary = self.bm25.vocabulary
        texts = [n.text.lower() for n in self.nodes]
        # the clauses' text, joined, with a suffix array: whether a term occurs, how often, in
        # how many clauses, each in microseconds (the bridge, typo reading and rarity ask often)
        self.corpus_text = LibraryText(texts)
        self._rarities: dict[str, float] = {}  # term → rarity, filled as questions ask
        # the English an English reader is shown: each word in the sense it most likely means
        self.english = EnglishReader(self.departments, SenseChooser(self.embedder))
        # each clause's English view (stored at ingest; written here for a store written before
        # it), with its document's title: the reader that writes them is made only if needed
        reader = lru_cache(maxsize=1)(lambda: reader_for(self.departments))
        titles: dict[str, str] = {}

        def english_view(i: int) -> list[str]:
            m = self.nodes[i].metadata
            title = m.get("title", "")
            if title not in titles:
                titles[title] = reader().view(title)
            view = m.get("english") or reader().view(self.nodes[i].text)
            return english_words(f"{titles[title]} {m.get('region_en', '')} {view}")

        # the views depend on the department names too: reused only while those are the same
        same = previous if previous is not None and previous.departments == self.departments else None
        known = same.english_lines if same else {}
        # chunk id → its English view as search words (kept for the next snapshot's retriever)
        self.english_lines = {cid: known[cid] if cid in known else " ".join(english_view(i)) for i, cid in enumerate(ids)}
        self.english_bm25 = term_index(ids, lambda i: self.english_lines[ids[i]].split(),
                                      same.english_bm25 if same else None)
        self.english_vocabulary = self.english_bm25.vocabulary
        # the search terms and English view, now in the indexes above, are dropped from the chunks
        # read from the store for this snapshot (those shared with the last had them dropped)
        for node in self.snapshot.nodes:
            if SEARCH_TERMS_KEY in node.metadata or "english" in node.metadata:
                node.metadata.pop(SEARCH_TERMS_KEY, None)
                node.metadata.pop("english", None)
        self._english_text = "".join(f" {self.english_lines[cid]} \n" for cid in ids)
        self.region_of = Column([n.metadata.get("region", "") for n in self.nodes])
        self.doc_of = Column([n.metadata.get("doc_id", "") for n in self.nodes])
        # regions of documents ingested without a documents.toml entry get names too
        self.region_groups = with_indexed_regions(self.catalog_groups, set(self.region_of.values))
        # the units the reader scores, once: the bridge's context and the vectors to warm
        known_units = previous.units_of if previous is not None else {}
        self.units_of = {n.node_id: known_units[n.node_id] if n.node_id in known_units
                         else tuple(self.sentence_units([n]) if self.sentence_units else ()) for n in self.nodes}
        self.reader_units: list[str] = [u for n in self.nodes for u in self.units_of[n.node_id]]
        self._units_by_scope: dict[tuple[str, ...], list[str]] = {}
        self.bridge = Bridge(self.corpus_text, self.vocabulary, names=self.glossary, context=self._nearest_text(),
                             parts=self._document_texts(texts),
                             known_headwords=previous.headwords_of if previous is not None else None)
        self.homophones = Homophones(self.vocabulary, self.corpus_text)
        self.homophones.warm()
        self.parents = dict(self.catalog_parents)
        self.parents.update({n.metadata["region"]: n.metadata["parent_region"] for n in self.nodes
                             if n.metadata.get("region") and n.metadata.get("parent_region")})
        # documents that apply everywhere: national ones, and any without a region
        self.everywhere = sorted({n.metadata.get("region", "") for n in self.nodes
                                  if n.metadata.get("level") == "national" or not n.metadata.get("region")})

    def _mark_versions(self) -> None:
        """Every citation names its version and says whether it is in force: each chunk's
        ``version`` and ``status``, set on a copy of a chunk whose values change (the snapshot
        shares unchanged chunks with the last one, which questions may still be reading)."""
        nodes = self.snapshot.nodes
        self.versions = versions_of(list({n.metadata.get("doc_id", ""): n.metadata for n in nodes}.values()))
        for k, node in enumerate(nodes):
            version = self.versions.get(node.metadata.get("doc_id", ""))
            if version is None:
                continue
            marks = {"version": version.label, "status": version.status}
            if any(node.metadata.get(key) != value for key, value in marks.items()):
                nodes[k] = node.model_copy(update={"metadata": {**node.metadata, **marks}})

    def _document_texts(self, texts: list[str]) -> dict[tuple[str, ...], str]:
        """Each document's searchable text (``texts``: the clauses' lower-cased), keyed by its
        chunk ids: what the English bridge reads once per version of a document."""
        by_doc: dict[str, list[tuple[str, str]]] = {}
        for node, text in zip(self.nodes, texts):
            by_doc.setdefault(node.metadata.get("doc_id", ""), []).append((node.node_id, text))
        return {tuple(i for i, _ in pairs): "\n".join(t for _, t in pairs) for pairs in by_doc.values()}

    def _nearest_text(self):
        """question → the corpus sentences nearest it in meaning (the multilingual embedder),
        which tell the English bridge which of a word's translations the documents mean."""
        if self.sentence_vectors is None or not self.reader_units:
            return None
        def nearest(question: str) -> str:
            # the documents the question is about (its regions and those above them) decide
            # which translation is meant, not the whole library
            regions = match_regions(question, self.region_groups).regions
            units = self._scope_units(tuple(regions)) if regions else self.reader_units
            return "\n".join(self.sentence_vectors.nearest(question, units or self.reader_units, BRIDGE_CONTEXT))

        return nearest

    def _scope_units(self, regions: tuple[str, ...]) -> list[str]:
        """The reader's units of the documents that answer a question about ``regions``."""
        if regions not in self._units_by_scope:
            inside = self.region_of.among(self.scope(list(regions)))
            self._units_by_scope[regions] = [u for n, keep in zip(self.nodes, inside) if keep
                                             for u in self.units_of[n.node_id]]
        return self._units_by_scope[regions]

    def rarity(self, term: str) -> float:
        """log(1 + N/df) over the searchable clauses (df by substring, so 科技成果转化 counts
        too); 0 for a term no clause contains."""
        if term not in self._rarities:
            df = self.corpus_text.clauses_containing(term)
            self._rarities[term] = float(np.log1p(len(self.nodes) / df)) if df else 0.0
        return self._rarities[term]

    def scope(self, regions: list[str]) -> list[str]:
        """The regions whose documents answer a question about ``regions``: those regions, the
        regions above them (a province above its cities) and documents that apply everywhere."""
        if not regions:
            return []
        out = list(regions)
        for region in regions:
            seen = {region}
            while self.parents.get(region) and self.parents[region] not in seen:
                region = self.parents[region]
                seen.add(region)
                out.append(region)
        return list(dict.fromkeys(out + self.everywhere))

    def _retrieve(self, query_bundle: QueryBundle) -> list[NodeWithScore]:
        return self.search(query_bundle.query_str)

    def bm25_ranking(self, question: str, keep: np.ndarray) -> list[tuple[str, float]]:
        expansion = self.bridge.expand(question)
        tokens = [t for t in tokenize(question + " " + expansion) if t in self.vocabulary]
        if not tokens or not self.nodes:
            return []
        scores = np.where(keep, np.asarray(self.bm25.scores(tokens), dtype=float), 0.0)
        order = np.argsort(-scores)[: self.candidates]
        return [(self.nodes[i].node_id, float(scores[i])) for i in order if scores[i] > 0]

    def _unbridged(self, question: str) -> bool:
        """Some English word of the question reaches no Chinese term of the documents."""
        return any(not group.chinese for group in self.bridge.groups(question))

    def english_covers(self, english: str) -> bool:
        """Some clause's English view says these words, in this order (stems compared)."""
        words = english_words(english)
        return bool(words) and f" {' '.join(words)} " in self._english_text

    def english_ranking(self, question: str, keep: np.ndarray) -> list[tuple[str, float]]:
        """BM25 of an English question's words over the clauses' English views."""
        tokens = [w for w in english_words(question) if w in self.english_vocabulary]
        if not tokens:
            return []
        scores = np.where(keep, np.asarray(self.english_bm25.scores(tokens), dtype=float), 0.0)
        order = np.argsort(-scores)[: self.candidates]
        return [(self.nodes[i].node_id, float(scores[i])) for i in order if scores[i] > 0]

    def vector_ranking(self, question: str, keep: np.ndarray) -> list[tuple[str, float]]:
        """Cosine similarity over the snapshot's chunk vectors (exact, in memory)."""
        if not self._vectors.size:
            return []
        q = np.asarray(self.embedder.get_query_embedding(question), dtype=np.float32)
        scores = np.where(keep, self._vectors @ (q / (np.linalg.norm(q) or 1.0)), -np.inf)
        order = np.argsort(-scores)[: self.candidates]
        return [(self.nodes[i].node_id, float(scores[i])) for i in order if np.isfinite(scores[i])]

    def rankings(self, question: str, regions: list[str], mode: str = "hybrid") -> list[list[tuple[str, float]]]:
        """Each signal's ranking (BM25, vector, or both; in hybrid mode, for an English question
        with a word the bridge cannot reach, also BM25 over the English views), computed once
        per question, over the documents that apply to ``regions`` (see :meth:`scope`), one
        version of each work."""
        keep = ~self.doc_of.among(self.other_versions(question))
        if regions:
            keep &= self.region_of.among(self.scope(regions))
        out = []
        if mode in ("hybrid", "bm25"):
            out.append(self.bm25_ranking(question, keep))
        if mode in ("hybrid", "vector"):
            out.append(self.vector_ranking(question, keep))
        if mode == "hybrid" and is_english(question) and self._unbridged(question):
            out.append(self.english_ranking(question, keep))
        return out

    def other_versions(self, question: str) -> set[str]:
        """The documents a question is not answered from (rag.index.versions.versions_not_read
        for the years the question names), worked out once per years asked."""
        years = asked_years(question)
        if years not in self._other_versions:
            self._other_versions[years] = frozenset(versions_not_read(self.versions, years))
        return set(self._other_versions[years])

    def current_nodes(self, question: str) -> list[TextNode]:
        """The searchable clauses a question reads: one version of each work (see :meth:`other_versions`)."""
        other = self.other_versions(question)
        return [n for n in self.nodes if n.metadata.get("doc_id") not in other] if other else self.nodes

    def fuse(self, rankings: list[list[tuple[str, float]]], top_k: int | None = None) -> list[NodeWithScore]:
        """Weighted reciprocal-rank fusion (a single ranking keeps its order): BM25, vector,
        English view."""
        weights = (1.0, VECTOR_WEIGHT, ENGLISH_WEIGHT) if len(rankings) >= 2 else (1.0,)
        fused: dict[str, float] = {}
        for ranking, weight in zip(rankings, weights):
            for rank, (node_id, _) in enumerate(ranking):
                fused[node_id] = fused.get(node_id, 0.0) + weight / (RRF_K + rank + 1)
        best = sorted(fused.items(), key=lambda kv: -kv[1])[: top_k or self.top_k]
        return [NodeWithScore(node=self.by_id[i], score=s) for i, s in best if i in self.by_id]

    def search(self, question: str, regions: list[str] | None = None, top_k: int | None = None,
               mode: str = "hybrid") -> list[NodeWithScore]:
        """Top clauses for a question; ``mode`` is hybrid, bm25 or vector (baselines)."""
        return self.fuse(self.rankings(question, list(regions or []), mode), top_k)

    def parts_of(self, node: TextNode) -> list[TextNode]:
        """Every searchable part of the clause ``node`` belongs to (one, unless split for length)."""
        m = node.metadata
        if m.get("parts", 1) <= 1:
            return [node]
        if self._parts is None:
            parts: dict[tuple, list[TextNode]] = {}
            for n in self.nodes:
                parts.setdefault((n.metadata.get("doc_id"), n.metadata.get("clause_path")), []).append(n)
            self._parts = parts
        found = self._parts.get((m.get("doc_id"), m.get("clause_path")), [])
        return sorted(found, key=lambda n: n.metadata.get("part", 1))

    def evidence(self, question: str, regions: list[str] | None = None, top_k: int | None = None,
                 head: int = 3) -> list[TextNode]:
        """Clauses for the answerer to read: the fused top-k plus the head of each ranking.

        Rank fusion can bury a clause that one signal ranks near the top and the other misses
        (a long clause that BM25 finds but the vector does not); the answerer scores
        sentences itself, so it reads those too.
        """
        rankings = self.rankings(question, list(regions or []))
        nodes = [r.node for r in self.fuse(rankings, top_k)]
        seen = {n.node_id for n in nodes}
        for ranking in rankings:
            for node_id, _ in ranking[:head]:
                if node_id not in seen and node_id in self.by_id:
                    seen.add(node_id)
                    nodes.append(self.by_id[node_id])
        return nodes


class Column:
    """One metadata field of every searchable chunk, held as codes: which chunks hold one of
    some values is a lookup per chunk, not a sort of every chunk's string each question."""

    def __init__(self, values: list[str]):
        self.values = values
        self.code_of: dict[str, int] = {}
        self.codes = np.array([self.code_of.setdefault(v, len(self.code_of)) for v in values], dtype=np.int32)

    def among(self, wanted) -> np.ndarray:
        """A boolean per chunk: its value is one of ``wanted``."""
        table = np.zeros(len(self.code_of), dtype=bool)
        table[[self.code_of[v] for v in wanted if v in self.code_of]] = True
        return table[self.codes]


def english_words(text: str) -> list[str]:
    """English text as search words: lower case, no function words, Porter stems."""
    return [_stem(w) for w in ENGLISH_WORD.findall(text.lower()) if w not in ENGLISH_STOPWORDS]


@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A word's Porter stem, each distinct word stemmed once (NLTK's stemmer is slow, and the
    views of a library repeat a few thousand words)."""
    return _stemmer().stem(word)


@lru_cache(maxsize=1)
def _stemmer():
    from nltk.stem import PorterStemmer

    return PorterStemmer()


def chunk_terms(node: TextNode) -> list[str]:
    """A chunk's BM25 terms: those stored at ingest, else computed now (an older store)."""
    m = node.metadata
    stored = m.get(SEARCH_TERMS_KEY)
    if isinstance(stored, str):
        return stored.split()
    return search_terms(m.get("title", ""), m.get("clause_path", ""), node.text)
