"""Words of a Chinese text: the one jieba loader, and the search tokens every stage shares.

jieba is loaded once (its first call reads a dictionary for about a second and writes a cache
file); BM25, question analysis, place matching and the spelling check all segment through
:func:`segmenter`, so they split a text the same way.
"""
from __future__ import annotations

import re
from functools import lru_cache

_PUNCT = re.compile(r"^[\W_]+$")


# function words that carry no topic (generic Chinese and English, not corpus-specific)
STOPWORDS = set("的 了 和 与 及 或 是 在 对 为 把 被 等 中 个 有 哪些 什么 多少 怎么 如何 吗 呢 吧 那 这 "
                "我们 我 你 请问 能 可以 关于 方面 规定 要求 文件 政策 方案".split()) | set(
    "the a an of to in on for and or is are was be what which who how much many does do did "
    "with by at as it its that this there their from about any".split())


@lru_cache(maxsize=1)
def segmenter():
    import jieba

    jieba.setLogLevel(60)
    jieba.dt.check_initialized()
    return jieba


def tokenize(text: str) -> list[str]:
    """jieba search-mode tokens, lower-cased, without punctuation and stopwords."""
    tokens = []
    for tok in segmenter().lcut_for_search(text.lower()):
        tok = tok.strip()
        if tok and not _PUNCT.match(tok) and tok not in STOPWORDS:
            tokens.append(tok)
    return tokens


# the chunk metadata that holds a chunk's search terms, computed at ingest; the number changes
# whenever tokenize() does, so terms of an older tokenizer are never read (they are computed again)
SEARCH_TERMS_KEY = "search_terms_1"


def search_terms(title: str, clause_path: str, text: str) -> list[str]:
    """The BM25 terms of a chunk: its title's, its place's in the document and its text's."""
    return tokenize(f"{title} {clause_path} {text}")
