"""Hybrid, region-aware retrieval: BM25 over jieba tokens + vector search, fused by RRF.

Region names in a question (Chinese or English, any alias in ``corpus/documents.toml``)
restrict the search to those regions; a question naming a place the corpus does not cover
is flagged so the answerer can abstain instead of answering from another region's text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from llama_index.core.base.base_retriever import BaseRetriever
from llama_index.core.schema import NodeWithScore, QueryBundle, TextNode

from rag.query.english import chinese_places, english_place, place_words
from rag.places.gazetteer import containing, short_name
from rag.query.spelling import Homophones

RRF_K = 60
BRIDGE_CONTEXT = 24  # sentences nearest an English question that pick among a word's translations
VECTOR_WEIGHT = 0.5  # the vector ranking counts half of BM25 in the fusion (README: measured 1.0, 0.7, 0.5, 0.3)
_PUNCT = re.compile(r"^[\W_]+$")
# function words that carry no topic (generic Chinese and English, not corpus-specific)
STOPWORDS = set("的 了 和 与 及 或 是 在 对 为 把 被 等 中 个 有 哪些 什么 多少 怎么 如何 吗 呢 吧 那 这 "
                "我们 我 你 请问 能 可以 关于 方面 规定 要求 文件 政策 方案".split()) | set(
    "the a an of to in on for and or is are was be what which who how much many does do did "
    "with by at as it its that this there their from about any".split())


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(60)
    return jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens, lower-cased, without punctuation and stopwords."""
    tokens = []
    for tok in _jieba().lcut_for_search(text.lower()):
        tok = tok.strip()
        if tok and not _PUNCT.match(tok) and tok not in STOPWORDS:
            tokens.append(tok)
    return tokens


@dataclass
class RegionMatch:
    regions: list[str] = field(default_factory=list)  # canonical regions named, in order
    unknown_places: list[str] = field(default_factory=list)  # places named that the corpus lacks
    # administrative places named that are no region of the corpus (兰州市 beside 甘肃): a figure
    # for them must be stated for them, not for the region around them
    places: list[str] = field(default_factory=list)


def match_regions(question: str, groups: dict[str, list[str]], vocabulary: set[str] = frozenset()) -> RegionMatch:
    """Regions a question names, through the catalog's names and aliases (longest first)."""
    lowered = question.lower()
    found: list[tuple[int, list[str]]] = []
    taken = [False] * len(lowered)
    words = _word_starts(lowered)
    for name in sorted(groups, key=len, reverse=True):
        pattern = re.escape(name)
        if name.isascii():
            pattern = rf"(?<![a-z]){pattern}(?![a-z])"
        for m in re.finditer(pattern, lowered):
            if any(taken[m.start():m.end()]):
                continue
            if len(name) == 1 and words.get(m.start()) != name:
                continue  # a one-character abbreviation (赣) counts only as a word, not inside 赣州
            taken[m.start():m.end()] = [True] * (m.end() - m.start())
            found.append((m.start(), groups[name]))
    inside = _places_inside(question, taken, groups)
    for start, end, _, region in inside:
        taken[start:end] = [True] * (end - start)
        found.append((start, [region]))
    # a name that stands for several regions (四川 for its cities) beside one of them (四川省
    # 阿坝州, "Sichuan … Aba") says where that one is, not that all are asked about
    named = {members[0] for _, members in found if len(members) == 1}
    regions: list[str] = []
    for _, members in sorted(found, key=lambda f: f[0]):
        if len(members) > 1 and named & set(members):
            members = [r for r in members if r in named]
        regions.extend(r for r in members if r not in regions)
    places = [place for _, _, place, _ in inside] + _admin_places(question, taken)
    return RegionMatch(regions, _unknown_places(question, taken, vocabulary), list(dict.fromkeys(places)))


_NOT_A_NAME = ("全", "各", "本", "我", "该", "每")  # 全州, 各市, 本县: the region itself, not a place in it


def _places_inside(question: str, taken: list[bool], groups: dict[str, list[str]]) -> list[tuple[int, int, str, str]]:
    """(start, end, place, region) for each place the question names that lies inside one
    covered region by the division table (兰州 → 甘肃省, 仁寿县 → 眉山市, Lanzhou → 甘肃省). A
    Chinese place is a word jieba tags ``ns``, one the dictionary names a division by, or a
    name with its level (…市/县); an English one is a capitalised word the dictionary names a
    division by. A name with readings in different regions (朝阳) places nothing."""
    out = []
    for name, flag, start, end in _tagged_words(question):
        if len(name) < 2 or any(taken[start:end]) or name.startswith(_NOT_A_NAME) or generic_place_noun(name):
            continue
        if flag == "ns" or name in place_words() or (len(name) >= 3 and name.endswith(("省", "市", "州", "县"))):
            region = _region_around([name], groups)
            if region:
                out.append((start, end, name, region))
    for m in re.finditer(r"\b[A-Z][a-z]+(?:\s(?:[A-Z][a-z]+|county|city|district|prefecture))?\b", question):
        if any(taken[m.start():m.end()]):
            continue
        spans = [(m.start(), m.end(), m.group(0))] + [(m.start() + w.start(), m.start() + w.end(), w.group(0))
                                                     for w in re.finditer(r"[A-Za-z]+", m.group(0))]
        for start, end, name in spans:
            heads = chinese_places(name)
            region = _region_around(list(heads), groups)
            if region:
                out.append((start, end, heads[0], region))
                break
    return sorted(out)


def _region_around(names: list[str], groups: dict[str, list[str]]) -> str:
    """The one covered region every reading of the names lies in (itself or the nearest
    division around it that the catalog names), else ""."""
    found = set()
    for name in names:
        for reading in containing(name):
            region = None
            for division in [name] + reading:
                covered = groups.get(division.lower()) or groups.get(short_name(division).lower())
                if covered:
                    region = covered[0] if len(covered) == 1 else None
                    break
            found.add(region)
    return found.pop() if len(found) == 1 and None not in found else ""


# nouns for kinds of place, not names of one: 大中城市, 中心城市, 山区
GENERIC_PLACE_NOUNS = ("城市", "地区", "区域", "地方", "农村", "城乡", "乡村", "山区", "边疆", "县域", "市州", "市县")


def generic_place_noun(word: str) -> bool:
    return word.endswith(GENERIC_PLACE_NOUNS)


@lru_cache(maxsize=1)
def _jieba_tags() -> dict[str, str]:
    """jieba's dictionary: word → part-of-speech tag."""
    import jieba.posseg as pseg

    _jieba()
    return pseg.dt.word_tag_tab


def _word_starts(text: str) -> dict[int, str]:
    """Start offset → jieba word, for telling an abbreviation from part of a longer name."""
    out, pos = {}, 0
    for word in _jieba().lcut(text):
        out[pos] = word
        pos += len(word)
    return out


def _admin_places(question: str, taken: list[bool]) -> list[str]:
    """Words with an administrative suffix (南昌市, 雅安市) that no region name covers."""
    out = []
    for start, word in _word_starts(question).items():
        if len(word) >= 3 and word.endswith(("市", "州", "县", "区")) and not any(taken[start:start + len(word)]) \
                and not word.startswith(("全", "各", "本", "我", "该", "每", "示范")):
            out.append(word)
    return list(dict.fromkeys(out))


@lru_cache(maxsize=256)
def _tagged_words(question: str) -> tuple[tuple[str, str, int, int], ...]:
    """(word, jieba part-of-speech tag, start, end) of a question, tagged once for the place
    rules that read it."""
    import jieba.posseg as pseg

    out, pos = [], 0
    for word in pseg.cut(question):
        start = question.find(word.word, pos)
        if start < 0:
            continue
        pos = start + len(word.word)
        out.append((word.word, word.flag, start, pos))
    return tuple(out)


def _unknown_places(question: str, taken: list[bool], vocabulary: set[str]) -> list[str]:
    """Place names (jieba POS 'ns', or capitalised English after in/for/of) the corpus never mentions."""
    unknown = []
    for name, flag, start, end in _tagged_words(question):
        if flag == "ns" and len(name) >= 2 and not any(taken[start:end]) and not generic_place_noun(name) \
                and name not in vocabulary:
            unknown.append(name)
    # an administrative name jieba does not know as a place (白石市, 青石县): two or three
    # characters before 省/市/州/县, after a particle, when the corpus never mentions it; a
    # word jieba's dictionary knows as something else (大中城市, 中心城市) is no place
    tags = _jieba_tags()
    for m in re.finditer(r"(?:^|[在是对的和与及从向、，,\s])([\u4e00-\u9fff]{2,3}(?:省|市|州|县))", question):
        name = m.group(1)
        known_word = tags.get(name, "ns") != "ns" or generic_place_noun(name)
        if not any(taken[m.start(1):m.end(1)]) and name not in vocabulary and name not in unknown \
                and not known_word and not name.startswith(("全", "各", "本", "我", "该", "每")):
            unknown.append(name)
    # an English word is a place only when the dictionary names a place by it (Hunan → 湖南省),
    # not because it is capitalised (Universities)
    for m in re.finditer(r"\b(?:in|for|of|from|does|do)\s+([A-Z][a-z]+(?:\s[A-Z][a-z]+)?)", question):
        if not any(taken[m.start(1):m.end(1)]) and m.group(1).lower() not in STOPWORDS \
                and english_place(m.group(1)):
            unknown.append(m.group(1))
    return unknown


class HybridRetriever(BaseRetriever):
    """BM25 (jieba) + vector (Chroma) fused by reciprocal rank, within optional regions.

    Built from one snapshot of the store; a serving process builds a new one when the index's
    generation changes (rag.pipeline.make_retriever), never changes this one.
    """

    def __init__(self, nodes: list[TextNode], embedder, top_k: int = 5, candidates: int = 40,
                 glossary: dict[str, list[str]] | None = None,
                 region_groups: dict[str, list[str]] | None = None,
                 parents: dict[str, str] | None = None, sentence_vectors=None,
                 departments: dict[str, list[str]] | None = None, sentence_units=None):
        super().__init__()
        # chunks → the units the reader scores (rag.pipeline.reader_sentences): what the
        # English bridge reads its context from
        self.sentence_units = sentence_units
        self.departments = departments or {}  # official names: Chinese → standard English
        self.sentence_vectors = sentence_vectors  # rag.sentences.SentenceVectors, for the reader
        self.glossary = glossary or {}
        self.catalog_groups = region_groups or {}
        self.catalog_parents = parents or {}
        # one snapshot of the store (rag.index.ClauseStore.snapshot), vectors included: every
        # question this retriever answers reads the same version of every document
        self._snapshot, self.embedder = nodes, embedder
        self.top_k, self.candidates = top_k, candidates
        self._build()

    def _build(self) -> None:
        import bm25s

        from rag.query.english import Bridge
        from rag.ingest.catalog import with_indexed_regions
        from rag.index.store import EXCLUDED_FROM_SEARCH

        self.nodes: list[TextNode] = [n for n in self._snapshot if n.metadata.get("kind") not in EXCLUDED_FROM_SEARCH]
        vectors = np.array([n.embedding or [] for n in self.nodes], dtype=np.float32)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True) if vectors.size else None
        self._vectors = vectors / np.where(norms == 0, 1, norms) if vectors.size else vectors
        self.by_id = {n.node_id: n for n in self.nodes}
        corpus = [tokenize(_search_text(n)) for n in self.nodes]
        self.vocabulary = {t for doc in corpus for t in doc}
        self.corpus_text = "\n".join(n.text.lower() for n in self.nodes)
        self._clause_texts = [n.text.lower() for n in self.nodes]
        self._rarities: dict[str, float] = {}  # term → rarity, filled as questions ask
        self.bm25 = bm25s.BM25()
        if self.nodes:
            self.bm25.index(corpus, show_progress=False)
        self.region_of = np.array([n.metadata.get("region", "") for n in self.nodes])
        # regions of documents ingested without a documents.toml entry get names too
        self.region_groups = with_indexed_regions(self.catalog_groups, set(self.region_of.tolist()))
        # the units the reader scores, once: the bridge's context and the vectors to warm
        self.reader_units: list[str] = self.sentence_units(self.nodes) if self.sentence_units else []
        self.bridge = Bridge(self.corpus_text, self.vocabulary, names=self.glossary, context=self._nearest_text())
        self.homophones = Homophones(self.vocabulary, self.corpus_text)
        self.homophones.warm()
        self.parents = dict(self.catalog_parents)
        self.parents.update({n.metadata["region"]: n.metadata["parent_region"] for n in self.nodes
                             if n.metadata.get("region") and n.metadata.get("parent_region")})
        # documents that apply everywhere: national ones, and any without a region
        self.everywhere = sorted({n.metadata.get("region", "") for n in self.nodes
                                  if n.metadata.get("level") == "national" or not n.metadata.get("region")})

    def _nearest_text(self):
        """question → the corpus sentences nearest it in meaning (the multilingual embedder),
        which tell the English bridge which of a word's translations the documents mean."""
        if self.sentence_vectors is None or not self.reader_units:
            return None
        units = self.reader_units
        return lambda question: "\n".join(self.sentence_vectors.nearest(question, units, BRIDGE_CONTEXT))

    def rarity(self, term: str) -> float:
        """log(1 + N/df) over the searchable clauses (df by substring, so 科技成果转化 counts
        too); 0 for a term no clause contains."""
        if term not in self._rarities:
            df = sum(1 for text in self._clause_texts if term in text)
            self._rarities[term] = float(np.log1p(len(self._clause_texts) / df)) if df else 0.0
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

    def bm25_ranking(self, question: str, regions: list[str]) -> list[tuple[str, float]]:
        expansion = self.bridge.expand(question)
        tokens = [t for t in tokenize(question + " " + expansion) if t in self.vocabulary]
        if not tokens or not self.nodes:
            return []
        scores = np.asarray(self.bm25.get_scores(tokens), dtype=float)
        if regions:
            scores = np.where(np.isin(self.region_of, regions), scores, 0.0)
        order = np.argsort(-scores)[: self.candidates]
        return [(self.nodes[i].node_id, float(scores[i])) for i in order if scores[i] > 0]

    def vector_ranking(self, question: str, regions: list[str]) -> list[tuple[str, float]]:
        """Cosine similarity over the snapshot's chunk vectors (exact, in memory)."""
        if not self._vectors.size:
            return []
        q = np.asarray(self.embedder.get_query_embedding(question), dtype=np.float32)
        scores = self._vectors @ (q / (np.linalg.norm(q) or 1.0))
        if regions:
            scores = np.where(np.isin(self.region_of, regions), scores, -np.inf)
        order = np.argsort(-scores)[: self.candidates]
        return [(self.nodes[i].node_id, float(scores[i])) for i in order if np.isfinite(scores[i])]

    def rankings(self, question: str, regions: list[str], mode: str = "hybrid") -> list[list[tuple[str, float]]]:
        """Each signal's ranking (BM25, vector, or both), computed once per question, over the
        documents that apply to ``regions`` (see :meth:`scope`)."""
        regions = self.scope(regions)
        out = []
        if mode in ("hybrid", "bm25"):
            out.append(self.bm25_ranking(question, regions))
        if mode in ("hybrid", "vector"):
            out.append(self.vector_ranking(question, regions))
        return out

    def fuse(self, rankings: list[list[tuple[str, float]]], top_k: int | None = None) -> list[NodeWithScore]:
        """Weighted reciprocal-rank fusion (a single ranking keeps its order)."""
        weights = (1.0, VECTOR_WEIGHT) if len(rankings) == 2 else (1.0,)
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
        key = (m.get("doc_id"), m.get("clause_path"))
        parts = [n for n in self.nodes if (n.metadata.get("doc_id"), n.metadata.get("clause_path")) == key]
        return sorted(parts, key=lambda n: n.metadata.get("part", 1))

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


def _search_text(node: TextNode) -> str:
    m = node.metadata
    return f"{m.get('title', '')} {m.get('clause_path', '')} {node.text}"
