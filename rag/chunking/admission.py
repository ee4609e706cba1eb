"""Is an uploaded file a policy document at all? A title, clause structure (numbered articles,
sections or items) and Chinese text; the reason when not. Uploads from the editor app are
checked (rag.apps.views.ingest_upload); files an operator ingests are not.
"""
from __future__ import annotations

from pathlib import Path

from rag.chunking.clauses import parse_clauses
from rag.core.vocabulary import letters

MIN_NUMBERED_CLAUSES = 2
MIN_CHINESE_SHARE = 0.5  # of the letters (Chinese characters and Latin letters) of the text



def not_a_policy_document(document) -> str:
    """Why a loaded document (llama-index Document with our metadata) is not a policy
    document; "" when it is one."""
    text = document.text
    han, latin = letters(text)
    if han < (han + latin) * MIN_CHINESE_SHARE or not han:
        return (f"不是政策文件：中文不足 · not a policy document: mostly non-Chinese text "
                f"({han} Chinese characters, {latin} Latin letters)")
    title = str(document.metadata.get("title", "")).strip()
    file_name = str(document.metadata.get("source_file", ""))
    if not title or (title in (file_name, Path(file_name).stem) and title not in text):  # named after the file only
        return "不是政策文件：没有标题 · not a policy document: no title in the text"
    numbered = [c for c in parse_clauses(text) if c.kind in ("clause", "heading", "table_row") and c.numbers]
    if len(numbered) < MIN_NUMBERED_CLAUSES:
        return ("不是政策文件：没有条款结构 · not a policy document: no clause structure "
                "(no numbered articles, sections or items)")
    return ""
