"""What the web app shows, as plain functions: answers as safe Markdown, sources, the clause
view, eligibility, comparison and document tables, uploads and the /ask API.

Nothing here imports gradio, so it is tested without a browser; rag/apps/page.py lays out the
page and wires these functions to it (app.py starts it).
"""
from __future__ import annotations

import html
import logging
import re
import shutil
from pathlib import Path

from rag.core.config import Settings
from rag.core.errors import RagError
from rag.core.model import ADDED, CATALOG, Answer, Citation, Provenance
from rag.core.vocabulary import CITATION_MARKER
from rag.features.export import export_folder

log = logging.getLogger("rag.apps.views")
ALL_REGIONS = "全部地区 (all regions)"
KIND_CHOICES = ["企业", "高新技术企业", "科技型中小企业", "小微企业", "国有企业", "高校", "科研院所", "科研人员",
                "学生", "青年创业者", "孵化器/众创空间", "中介机构", "金融机构", "医疗卫生机构"]
TOPICS = ["技术合同交易额目标", "成果完成人收益比例", "众创空间/孵化器目标", "高新技术企业数量目标",
          "技术转移示范机构目标", "技术转移人才培养目标"]
EXAMPLES = ["科技成果转化收益给成果完成人的比例是多少？", "what share of income goes to the inventor?",
            "甘肃和江西的技术合同交易额目标分别是多少？", "我们是眉山的科技型中小企业，能享受哪些支持？",
            "Which department leads the day-to-day work of the Chengdu-Deyang-Mianyang zone?"]
UPLOAD_SUFFIXES = [".txt", ".md", ".docx", ".pdf", ".html", ".htm"]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
BUSY = "服务繁忙，请稍后再试 · The service is busy, please try again shortly."
FAILED = "出错了，请稍后再试；问题已记录 · Something went wrong; it has been logged, please try again."

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!<>|~])")


def safe_markdown(text: str) -> str:
    """Document text as inert Markdown: no links, images or HTML can come from a document
    (markdown-image exfiltration); only our own [n] markers survive, as plain text."""
    escaped = _MD_SPECIAL.sub(r"\\\1", text)
    return re.sub(r"\\\[(\d+)\\\]", r"[\1]", escaped).replace("\n", "  \n")


def answer_markdown(answer: Answer) -> str:
    """The chat message: the answer, or a distinct "not covered" block with related clauses."""
    if answer.abstained:
        lines = ["**【文件未涉及】Not covered by the documents**", "", safe_markdown(answer.text)]
        if answer.related:
            lines += ["", "相关条款（仅供参考，未作引用）· Related clauses (not cited):"]
            lines += [f"- {safe_markdown(c.label)}（{safe_markdown(c.region)}）" for c in answer.related]
        return "\n".join(lines)
    lines = [safe_markdown(answer.text)]
    if answer.citations:
        lines += ["", "**来源 · Sources**"]
        lines += [f"[{c.n}] {safe_markdown(c.label)}（{safe_markdown(c.region)}）" for c in answer.citations]
        lines[-len(answer.citations):] = [line + "  " for line in lines[-len(answer.citations):]]
    return "\n".join(lines)


def source_choices(answer: Answer) -> list[str]:
    return [f"[{c.n}] {c.label}" for c in (answer.citations or answer.related)]


def clause_html(citation: Citation | None, answer_text: str = "") -> str:
    """The cited clause: document, region, clause path, and the text with the quoted sentence
    highlighted. Everything is escaped: the page never runs document HTML."""
    if citation is None:
        return "<div class='clause-empty'>点击答案下方的来源查看条款原文 · Pick a source to read its clause.</div>"
    text = html.escape(citation.text)
    for quote in re.findall(r"“([^”]{6,})”", answer_text):
        for part in re.split(r"……", quote):
            part = html.escape(part.strip("。；; "))
            if len(part) >= 6 and part in text:
                text = text.replace(part, f"<mark>{part}</mark>", 1)
    return (f"<div class='clause'><div class='clause-title'>《{html.escape(citation.title)}》</div>"
            f"<div class='clause-meta'>{html.escape(citation.region)} · {html.escape(citation.clause_path)}</div>"
            f"<div class='clause-label'>{html.escape(citation.label)}</div>"
            f"<div class='clause-text'>{text}</div></div>")


def pick_source(choice: str | None, answer_state: dict | None) -> str:
    if not choice or not answer_state:
        return clause_html(None)
    n = int(CITATION_MARKER.match(choice).group(1))
    for c in answer_state.get("citations", []) + answer_state.get("related", []):
        if c["n"] == n:
            fields = ("n", "doc_id", "title", "region", "clause_path", "clause_number", "text", "version", "status")
            return clause_html(Citation(**{k: c[k] for k in fields if k in c}), answer_state["answer"])
    return clause_html(None)


def region_arg(region: str | None) -> str | None:
    return None if not region or region == ALL_REGIONS else region


def chat_answer(question: str, history: list, region: str | None, settings: Settings) -> tuple[Answer | None, str]:
    """(answer, error message). A question the user can fix gets its reason; anything else
    is logged and gets a plain message, and the app goes on serving."""
    from rag.pipeline.asking import answer

    try:
        return answer(question, region=region_arg(region), history=history, settings=settings), ""
    except RagError as exc:  # QuestionError included: the message says what to fix
        return None, f"错误 · Error: {exc}"
    except Exception:  # a backend failure: keep serving
        log.exception("answer failed")
        return None, FAILED


def stream_text(text: str, step: int = 12):
    """The answer revealed a few characters at a time (the extractive answer is instant; an
    LLM answer is checked as a whole before it is shown, so numbers never flicker wrong)."""
    for end in range(step, len(text) + step, step):
        yield text[:end]


def api_ask(question: str, region: str | None, settings: Settings) -> dict:
    """The /ask endpoint: the answer text with [n] markers, its sources, or an error."""
    result, error = chat_answer(question, [], region, settings)
    if result is None:
        return {"question": (question or "")[:200], "error": error.split(": ", 1)[-1]}
    return result.as_dict()


def regions(settings: Settings) -> list[str]:
    from rag.pipeline.snapshot import make_retriever

    return sorted({n.metadata.get("region", "") for n in make_retriever(settings).nodes} - {""})


def eligibility_rows(region: str, kind: str, field: str, settings: Settings):
    from rag.features.eligibility import CATEGORIES, CATEGORY_LABELS_EN, period_note, to_csv, to_markdown
    from rag.pipeline.asking import eligible

    if not region or region == ALL_REGIONS:
        raise RagError("请选择一个地区 · choose one region")
    measures = eligible(region, kind, (field or "").strip(), settings)
    rows = [[_STATUS[m.status], m.reason, f"{CATEGORIES[m.category][0]} · {CATEGORY_LABELS_EN[m.category]}",
             m.text, m.condition, period_note(m), m.label] for m in measures]
    folder = export_folder()
    md, csv_path = folder / "measures.md", folder / "measures.csv"
    md.write_text(to_markdown(measures, region, kind), encoding="utf-8")
    csv_path.write_text(to_csv(measures), encoding="utf-8-sig")  # BOM: Excel opens Chinese CSV right
    counts = {s: sum(1 for m in measures if m.status == s) for s in _STATUS}
    summary = (f"**{region} · {kind}**：符合 {counts['met']} 项，需核实 {counts['needs checking']} 项，"
               f"不符合 {counts['not met']} 项 · met {counts['met']}, needs checking "
               f"{counts['needs checking']}, not met {counts['not met']}")
    return rows, summary, str(md), str(csv_path)


def measure_cards(rows: list[list[str]]) -> str:
    """The measures as one block each, for a phone: every field on its own line, nothing cut off
    (a seven-column table does not fit 390 px)."""
    blocks = []
    for status, reason, category, text, condition, period, label in rows:
        lines = [f"**{safe_markdown(status)}** · {safe_markdown(category)}", safe_markdown(reason),
                 f"措施 measure：{safe_markdown(text)}"]
        if condition:
            lines.append(f"条件 condition：{safe_markdown(condition)}")
        lines.append(f"期限 period：{safe_markdown(period)} · 出处 source：{safe_markdown(label)}")
        blocks.append("  \n".join(lines))
    return "\n\n---\n\n".join(blocks)


_STATUS = {"met": "【符合】met", "needs checking": "【需核实】needs checking", "not met": "【不符合】not met"}


def _checked_topic(topic: str, settings: Settings) -> str:
    topic = (topic or "").strip()
    if not topic:
        raise RagError("请输入或选择一个主题 · type or pick a topic")
    if len(topic) > settings.max_question_chars:
        raise RagError(f"the topic is {len(topic)} characters; the limit is {settings.max_question_chars}")
    return topic


def compare_export(topic: str, settings: Settings) -> tuple[list[list[str]], str, str, str]:
    """The comparison's rows, and its Markdown, CSV and printable HTML files (old exports are
    removed)."""
    from rag.features.compare import to_csv, to_html, to_markdown
    from rag.pipeline.asking import compare_regions

    rows = compare_regions(_checked_topic(topic, settings), settings=settings)
    folder = export_folder()
    md, csv_path = folder / "comparison.md", folder / "comparison.csv"
    md.write_text(to_markdown(topic.strip(), rows), encoding="utf-8")
    csv_path.write_text(to_csv(rows), encoding="utf-8-sig")  # BOM: Excel opens Chinese CSV right
    page = folder / "comparison.html"
    page.write_text(to_html(topic.strip(), rows), encoding="utf-8")
    return [row.cells() for row in rows], str(md), str(csv_path), str(page)


# how the Documents tab names a document's status (rag.index.versions)
STATUS_NAMES = {"in force": "现行有效 in force", "replaced": "已被新版本取代 replaced", "ended": "实施期已结束 ended",
                "repealed": "已废止 repealed", "not yet in force": "尚未施行 not yet in force"}


DOCUMENT_HEADERS = ["doc_id", "标题 title", "版本 version", "状态 status", "地区 region", "层级 level",
                    "上级地区 within", "发文机关 issuer", "文号 number", "日期 date", "施行 effective",
                    "期限 period", "修订 amended", "条款数 clauses", "来源 origin", "添加者 added by",
                    "添加时间 added at", "文件 file", "读取 read as"]


def document_rows(settings: Settings) -> list[list]:
    """One row a document (DOCUMENT_HEADERS): what it is, its version, and where it came from."""
    from rag.index.store import ClauseStore
    from rag.index.versions import versions_of

    with ClauseStore(settings) as store:
        documents = store.documents()
    versions = versions_of(documents)
    return [[d["doc_id"], d["title"], versions[d["doc_id"]].label, STATUS_NAMES.get(versions[d["doc_id"]].status, ""),
             d["region"], d.get("level", ""), d.get("parent_region", ""),
             d.get("issuer", ""), d.get("doc_number", ""),
             d.get("date", ""), d.get("effective", ""), d.get("period", ""), d.get("amendments", ""), d["chunks"],
             *_provenance_cells(Provenance.of(d))]
            for d in documents]


def _provenance_cells(p: Provenance) -> list[str]:
    origin = {CATALOG: "目录 catalog", ADDED: "新增 added"}.get(p.origin, p.origin or "—")
    file = f"{p.file_name} · {p.file_size:,} B · sha256 {p.file_sha256[:12]}" if p.file_sha256 else p.file_name
    return [origin, p.added_by or "—", p.added_at or "—", file, ", ".join(x for x in (p.reader, p.encoding) if x)]


def clause_tree(doc_id: str, settings: Settings) -> str:
    """A document as its clause tree (headings indented by level), as safe Markdown."""
    from rag.index.store import ClauseStore

    if not doc_id:
        return ""
    lines = []
    with ClauseStore(settings) as store:
        nodes = store.all_chunks(doc_id)
    for node in nodes:
        m = node.metadata
        depth = max(0, str(m.get("clause_path", "")).count(" > "))
        first = node.text.strip().split("\n")[0]
        first = first if len(first) <= 80 else first[:80] + "……"
        lines.append(f"{'　' * depth}- **{safe_markdown(m.get('clause_number') or '序')}** {safe_markdown(first)}")
    return "\n".join(lines) or "（无条款）"


def ingest_upload(paths: list[str], settings: Settings, progress=None, added_by: str = "editor (web)") -> str:
    """Copy uploads into the data folder's uploads/ (names cleaned, size and type checked),
    ingest those that are policy documents (rag.chunking.admission), recording who added them,
    and make them searchable at once. A refused file is removed from uploads/ again."""
    from rag.chunking.admission import not_a_policy_document
    from rag.pipeline.writing import ingest_paths

    if not paths:
        raise RagError("请选择文件 · choose a file")
    upload_dir = Path(settings.data_dir) / "uploads"
    upload_dir.mkdir(parents=True, exist_ok=True)
    accepted, refused, created = [], [], []
    for raw in paths:
        src = Path(raw)
        name = re.sub(r"[^\w.\-\u4e00-\u9fff]", "_", src.name)[:120] or "upload.txt"
        if src.suffix.lower() not in UPLOAD_SUFFIXES:
            refused.append(f"{src.name}: 不支持的文件类型 · unsupported type (use {', '.join(UPLOAD_SUFFIXES)})")
        elif src.stat().st_size > MAX_UPLOAD_BYTES:
            refused.append(f"{src.name}: 文件过大 · over {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
        elif (upload_dir / name).exists() and (upload_dir / name).read_bytes() != src.read_bytes():
            # never replace an earlier upload silently: the official decides which one stays
            refused.append(f"{src.name}: 已有同名的不同文件 · an earlier upload named {name} differs; "
                           f"rename this file, or remove the earlier one first")
        elif (upload_dir / name) not in accepted:
            target = upload_dir / name
            if not target.exists():
                created.append(target)
            shutil.copyfile(src, target)
            accepted.append(target)
    try:
        step = (lambda name, _done: progress(name)) if progress else None
        report = ingest_paths(accepted, settings, progress=step, added_by=added_by,
                              admit=not_a_policy_document) if accepted else None
    except Exception:
        for target in created:  # nothing half-kept: the copies this call made go again
            target.unlink(missing_ok=True)
        raise
    for name, _ in report.skipped if report else []:  # refused: a copy this call made is not kept
        if upload_dir / name in created:
            (upload_dir / name).unlink()
    lines = [f"已导入 · ingested: {report.summary()}"] if report and report.documents else []
    lines += [f"未导入 · skipped: {reason}" for _, reason in (report.skipped if report else [])]
    lines += [f"未导入 · refused: {reason}" for reason in refused]
    return "\n\n".join(lines) or "没有可导入的文件 · nothing to ingest"


def remove_upload(doc_id: str, settings: Settings) -> str:
    """Remove a document an editor uploaded (its file in uploads/ too); any other document
    (the catalog's, or one an operator ingested) is the operator's to remove."""
    from rag.index.store import ClauseStore
    from rag.pipeline.writing import remove_document

    if not doc_id:
        raise RagError("请选择文件 · choose a document")
    with ClauseStore(settings) as store:
        found = next((d for d in store.documents() if d["doc_id"] == doc_id), None)
    if found is None:
        raise RagError(f"没有该文件 · no document {doc_id!r} in the index")
    uploads = (Path(settings.data_dir) / "uploads").resolve()
    source = Path(str(found.get("source_path") or ""))
    if found.get("origin") != ADDED or uploads not in source.parents:
        raise RagError(f"{doc_id} 不是编辑上传的文件 · was not uploaded by an editor (it comes from "
                       f"{found.get('source_file') or 'the corpus'}); an operator removes it with `rag remove`")
    removed = remove_document(doc_id, settings)
    source.unlink(missing_ok=True)
    return f"已移除 · removed {doc_id}: {removed} chunks"
