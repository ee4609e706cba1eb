"""The official English names of departments and the few domain terms the dictionary cannot
reach, read from ``corpus/glossary.toml`` (data, never a list in code): 省科技厅 → Provincial
Department of Science and Technology.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

from rag.core.errors import ConfigError

GLOSSARY_FILE = "glossary.toml"


def load_departments(corpus_dir: Path) -> dict[str, list[str]]:
    """Department (Chinese, as documents name it) → its standard English names (glossary.toml)."""
    path = Path(corpus_dir) / GLOSSARY_FILE
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as fh:
            raw = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    return {k: list(v) for k, v in raw.get("departments", {}).items()}


def load_glossary(corpus_dir: Path) -> dict[str, list[str]]:
    """English (lower-cased) → Chinese: the departments' official names, then the domain terms."""
    names: dict[str, list[str]] = {}
    for chinese, english in load_departments(corpus_dir).items():
        for name in english:
            names.setdefault(name.lower(), []).append(chinese)
    path = Path(corpus_dir) / GLOSSARY_FILE
    if path.is_file():
        with path.open("rb") as fh:
            terms = tomllib.load(fh).get("terms", {})
        for english, chinese in terms.items():
            names.setdefault(english.lower(), list(chinese))
    return names


def english_department(name: str, departments: dict[str, list[str]]) -> str:
    """省科技厅 → "Provincial Department of Science and Technology (省科技厅)"; the Chinese name
    alone when no standard English name is known."""
    prefixes = {"省": "Provincial ", "市": "Municipal ", "州": "Prefectural ", "县": "County "}
    for chinese in sorted(departments, key=len, reverse=True):
        if name.endswith(chinese):
            head = name[: -len(chinese)]
            prefix = prefixes.get(head, "") if len(head) <= 1 else ""
            if len(head) <= 1 and (head in prefixes or not head):
                return f"{prefix}{departments[chinese][0]} ({name})"
    return name
