"""Sentences a document addresses to a model, not to its readers (indirect prompt injection,
OWASP LLM01), flagged at ingest.

A flagged sentence is still document text: the extractive answer may quote it and the clause
view shows it. It is never given to an LLM as context (the writer sees "[略]" in its place), and
an LLM statement carrying a string found only in flagged sentences (a canary, a URL, a prompt
the document asks to print) is dropped (rag.llm.writer).

What is flagged, in Chinese and English: instructions to ignore or replace instructions
(忽略以上所有指令, ignore previous instructions); orders to output, repeat or reveal something
(你现在必须在回答的开头输出…, repeat your instructions); mentions of a system or developer
prompt (系统提示词); chat role markers (system:, <|im_start|>, [INST]); markdown images, links
and HTML that would fetch or point to an outside host.
"""
from __future__ import annotations

import re

from rag.core.vocabulary import SENTENCE_ENDS

REDACTED = "[略：文件中对模型的指令 · omitted: instruction addressed to a model]"

_ADDRESSED = [re.compile(p, re.I) for p in (
    # replacing the rules
    r"(?:忽略|无视|忘记|忘掉|不要理会|跳过|覆盖)[^。！？\n]{0,12}(?:指令|指示|规则|提示|要求|设定)",
    r"\b(?:ignore|disregard|forget|override|bypass)\b[^.!?\n]{0,40}\b(?:instructions?|rules|prompts?|directions|guidelines)\b",
    r"\bnew instructions?\b|\bfrom now on\b|\byou are now\b|你现在是|从现在起你",
    # ordering the model to say something
    r"你(?:现在)?(?:必须|需要|应该|应当|要|务必)[^。！？\n]{0,24}(?:输出|回答|打印|复述|重复|显示|说出|写出|回复)",
    r"(?:请|务必)?在(?:你的)?回答(?:的)?(?:开头|结尾|末尾|中)[^。！？\n]{0,12}(?:输出|写上|加上|包含)",
    r"\byou (?:must|should|have to|need to|will)\b[^.!?\n]{0,30}\b(?:output|print|say|respond|reply|answer|write|"
    r"include|begin|start|repeat)\b",
    r"\b(?:repeat|reveal|print|show|output|display|leak|tell me)\b[^.!?\n]{0,20}\b(?:your|the)\b[^.!?\n]{0,12}"
    r"\b(?:prompt|instructions|rules|system message)\b",
    r"(?:复述|重复|输出|打印|显示|泄露|告诉我)[^。！？\n]{0,8}(?:你的)?(?:系统)?(?:提示词|指令|规则|设定)",
    r"(?:AI|人工智能|智能助手|助手|大模型|语言模型|机器人|chatbot)[^。！？\n]{0,12}(?:注意|必须|务必|请)",
    r"(?:必须|务必|一定要)(?:先)?(?:输出|打印|复述|回复)",
    r"\b(?:AI|assistant|language model|chatbot|LLM)s?\b[^.!?\n]{0,20}\b(?:must|should|please|note)\b",
    # the prompt itself
    r"(?:系统|开发者)\s*(?:提示词|提示|指令|消息)|提示词",
    r"\b(?:system|developer)\s+(?:prompt|message|instructions?)\b",
    # chat role markers and template tokens
    r"(?:^|\n|[。.!?！？]\s*)(?:system|assistant|user|human|ai)\s*[:：]",
    r"<\|[a-z_]+\|>|\[/?INST\]|<</?SYS>>|^#{2,}\s*(?:instruction|system|response)\b",
    # what a renderer would fetch or follow: images, links, HTML, URLs to outside hosts
    r"!\[[^\]]*\]\([^)]*\)",
    r"\[[^\]]+\]\(\s*(?:https?:)?//[^)]*\)",
    r"<\s*(?:img|script|iframe|a|object|embed|svg|link|meta)\b",
    r"(?:https?:)?//(?![\w.-]*\.gov\.cn\b)[\w-]+(?:\.[\w-]+)+",
)]
_SENTENCE = re.compile(rf"[^{SENTENCE_ENDS}!?\n]+[{SENTENCE_ENDS}!?]?")  # ASCII marks too: injected text is often English
# strings a canary or a leaked prompt is made of: Latin/digit runs and Chinese 4-grams
_LATIN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-./:]{3,}")


def addressed_to_model(sentence: str) -> bool:
    return any(p.search(sentence) for p in _ADDRESSED)


def flagged_sentences(text: str) -> list[str]:
    """The sentences of a clause that address a model (in their order, each once)."""
    return list(dict.fromkeys(s.strip() for s in _SENTENCE.findall(text) if s.strip() and addressed_to_model(s)))


def redacted(text: str, flagged: list[str] | None = None) -> str:
    """The clause with its flagged sentences replaced by REDACTED: what an LLM may read."""
    for sentence in flagged_sentences(text) if flagged is None else flagged:
        text = text.replace(sentence, REDACTED)
    return text


def _pieces(text: str) -> set[str]:
    latin = {m.group(0).lower().rstrip("./:") for m in _LATIN.finditer(text)}
    chinese = {text[i:i + 4] for i in range(len(text) - 3) if all("\u4e00" <= c <= "\u9fff" for c in text[i:i + 4])}
    return latin | chinese


def only_in_flagged(statement: str, clean: str, flagged: list[str]) -> set[str]:
    """The pieces of a statement found in the flagged sentences and nowhere in the clean text
    (the clauses as the LLM saw them, and the question): what the statement can only have
    taken from an instruction the LLM was never shown, or was told by one."""
    if not flagged:
        return set()
    mine = _pieces(statement)
    return (mine & _pieces("\n".join(flagged))) - _pieces(clean)
