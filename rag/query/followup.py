"""A question as the user typed it, made ready to answer: cleaned and bounded, its language
told, and a follow-up ("那江西呢？", "what about Gansu?") read with the topic of the previous
question and the region it names.
"""
from __future__ import annotations

import re
import unicodedata

from rag.core.errors import QuestionError
from rag.core.words import STOPWORDS
from rag.places.matching import match_regions

FOLLOW_UP = re.compile(r"^(那|那么)?.{0,12}(呢|怎么样|如何)[？?]?$|^(what|how) about\b|^and\b", re.I)


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
