"""政策问答 · Policy QA: the Gradio page. Layout and wiring only; what it shows is in rag.apps.views.

    python app.py            # the reader app: http://127.0.0.1:7860 (RAG_SERVER_HOST, GRADIO_SERVER_PORT)
    python app.py --editor   # the editor app: http://127.0.0.1:7861 (RAG_EDITOR_HOST, RAG_EDITOR_PORT),
                             # only with RAG_EDITORS=user:password,…
    rag serve [--editor]     # the same

Run `rag ingest` first. The reader app changes nothing: chat, eligibility, compare and the
documents with their text; no upload or remove control and no route that changes the library
(the editing functions are not part of its page at all). The editor app adds uploading and
removing documents, behind the editors' login. Both throttle failed logins (rag.apps.login).
The chat answer is also the API endpoint `/ask` (question, region).
"""
from __future__ import annotations

import gradio as gr

from rag.apps import views as ui
from rag.core.config import get_settings
from rag.core.errors import RagError
from rag.features.compare import COLUMNS as COMPARE_COLUMNS

CSS = """
.gradio-container {max-width: 1280px !important; margin: auto;}
#title h1 {margin-bottom: 0;} #title p {margin-top: 4px; color: #555;}
.clause {border-left: 4px solid #b22222; padding: 8px 12px; background: #fffaf5; border-radius: 4px;}
.clause-title {font-weight: 600;} .clause-meta, .clause-label {color: #666; font-size: 0.9em;}
.clause-text {margin-top: 8px; line-height: 1.7; white-space: pre-wrap;}
.clause mark {background: #ffe58a; padding: 0 2px;}
.clause-empty {color: #888; padding: 8px;}
#chatbot .message {cursor: text;}
#error {color: #b00020;}
#e-cards {display: none;}
@media (max-width: 640px) {
  #e-table {display: none !important;}
  #e-cards {display: block !important;}
  .gradio-container {padding: 6px !important;}
  .tab-wrapper {height: auto !important;}
  .tab-container {flex-wrap: wrap !important; height: auto !important; overflow: visible !important;}
  #chatbot {height: 380px !important;}
}
"""


# a click on an [n] marker in the chat opens source n in the sources panel
MARKER_JS = r"""
() => {
  document.addEventListener('click', (event) => {
    const chat = document.querySelector('#chatbot');
    if (!chat || !chat.contains(event.target) || !document.caretRangeFromPoint) return;
    const range = document.caretRangeFromPoint(event.clientX, event.clientY);
    if (!range || range.startContainer.nodeType !== Node.TEXT_NODE) return;
    const text = range.startContainer.textContent, at = range.startOffset;
    const re = /\[(\d+)\]/g;
    let m;
    while ((m = re.exec(text)) !== null) {
      if (at >= m.index && at <= m.index + m[0].length) {
        const labels = document.querySelectorAll('#sources label');
        const label = Array.from(labels).find(l => l.innerText.trim().startsWith('[' + m[1] + ']'));
        if (label) { label.click(); label.scrollIntoView({block: 'nearest'}); }
        return;
      }
    }
  });
}
"""


def build(settings=None, editor: bool = False) -> gr.Blocks:
    """The page; with ``editor``, the Documents tab can upload and remove documents."""
    settings = settings or get_settings()
    region_choices = [ui.ALL_REGIONS] + ui.regions(settings)

    with gr.Blocks(title="政策问答 · Policy QA", analytics_enabled=False) as demo:
        gr.Markdown("# 政策问答 · Policy QA\n促进科技成果转移转化政策：每个回答都注明出处条款 · "
                    "every statement cites the clause it comes from", elem_id="title")
        with gr.Tabs():
            with gr.Tab("问答 Chat", id="chat"):
                answer_state = gr.State({})
                with gr.Row():
                    with gr.Column(scale=3, min_width=260):
                        chatbot = gr.Chatbot(label="对话 · Conversation", height=460, buttons=["copy", "copy_all"],
                                             elem_id="chatbot", sanitize_html=True)
                        error = gr.Markdown("", elem_id="error")
                        with gr.Row():
                            question = gr.Textbox(placeholder="输入问题（中文或英文）· Ask in Chinese or English",
                                                  show_label=False, scale=5, min_width=180, max_length=2000,
                                                  elem_id="question")
                            send = gr.Button("发送 Ask", variant="primary", scale=1, min_width=72, elem_id="ask")
                        with gr.Row():
                            region = gr.Dropdown(region_choices, value=ui.ALL_REGIONS, label="地区 · Region",
                                                 elem_id="region", scale=3, min_width=180)
                            clear = gr.Button("新对话 New chat", scale=1, min_width=72)
                        gr.Examples(ui.EXAMPLES, inputs=question, label="示例 · Examples")
                    with gr.Column(scale=2, min_width=260):
                        gr.Markdown("### 来源条款 · Sources")
                        sources = gr.Radio([], label="点击查看条款 · Open a cited clause", elem_id="sources")
                        clause = gr.HTML(ui.clause_html(None), elem_id="clause")

                def respond(q, history, region_value):
                    history = list(history or [])
                    result, message = ui.chat_answer(q, history, region_value, settings)
                    if result is None:
                        yield history, q, message, {}, gr.update(choices=[], value=None), ui.clause_html(None)
                        return
                    history = history + [{"role": "user", "content": q}, {"role": "assistant", "content": ""}]
                    text = ui.answer_markdown(result)
                    for partial in ui.stream_text(text):
                        history[-1]["content"] = partial
                        yield history, "", "", {}, gr.update(), gr.update()
                    state = result.as_dict()
                    choices = ui.source_choices(result)
                    first = choices[0] if choices else None
                    yield (history, "", "", state, gr.update(choices=choices, value=first),
                           ui.pick_source(first, state))

                outputs = [chatbot, question, error, answer_state, sources, clause]
                # a question sent while an answer is streaming runs after it, never silently dropped
                send.click(respond, [question, chatbot, region], outputs, api_visibility="private",
                           trigger_mode="always_last")
                question.submit(respond, [question, chatbot, region], outputs, api_visibility="private",
                                trigger_mode="always_last")
                sources.change(ui.pick_source, [sources, answer_state], clause, api_visibility="private")
                clear.click(lambda: ([], "", {}, gr.update(choices=[], value=None), ui.clause_html(None)),
                            None, [chatbot, error, answer_state, sources, clause], api_visibility="private")

            with gr.Tab("适用政策 Eligibility", id="eligibility"):
                gr.Markdown("选择地区和申请主体，列出该地区文件中适用的措施及出处 · "
                            "Pick a region and who you are: the measures of that region's documents, each with its clause.")
                with gr.Row():
                    e_region = gr.Dropdown(region_choices[1:], value=None, label="地区 · Region", elem_id="e-region")
                    e_kind = gr.Dropdown(ui.KIND_CHOICES, value="科技型中小企业", label="申请主体 · Applicant",
                                         elem_id="e-kind")
                    e_field = gr.Textbox(label="领域（可选）· Field (optional)", placeholder="如：生物医药、新材料")
                e_go = gr.Button("查询 Check", variant="primary", elem_id="e-go")
                e_error = gr.Markdown("", elem_id="e-error")
                e_summary = gr.Markdown("", elem_id="e-summary")
                e_table = gr.Dataframe(headers=["结论 verdict", "理由 reason", "类别 category", "措施 measure",
                                                "条件 condition", "期限 period", "出处 source"], wrap=True,
                                       interactive=False, elem_id="e-table")
                e_cards = gr.Markdown("", elem_id="e-cards")  # the same measures, one block each: shown on phones
                with gr.Row():
                    e_md = gr.DownloadButton("导出 Markdown", visible=False)
                    e_csv = gr.DownloadButton("导出 CSV", visible=False)

                def eligibility(region_value, kind, field):
                    try:
                        rows, summary, md, csv_path = ui.eligibility_rows(region_value, kind, field, settings)
                    except RagError as exc:
                        hidden = gr.update(visible=False)
                        return "错误 · Error: " + str(exc), "", [], "", hidden, hidden
                    return ("", summary, rows, ui.measure_cards(rows), gr.update(value=md, visible=True),
                            gr.update(value=csv_path, visible=True))

                e_go.click(eligibility, [e_region, e_kind, e_field],
                           [e_error, e_summary, e_table, e_cards, e_md, e_csv], api_visibility="private")

            with gr.Tab("地区对比 Compare", id="compare"):
                gr.Markdown("选择或输入一个主题（中文或英文），逐个地区给出各自的目标值、范围、时期和出处；"
                            "文件没有规定的显示“未提及” · A topic (Chinese or English) across regions: each "
                            "region's own figure with its period and clause, or \"not stated\".")
                with gr.Row():
                    c_topic = gr.Dropdown(ui.TOPICS, value=ui.TOPICS[0], allow_custom_value=True,
                                          label="主题 · Topic", elem_id="c-topic", scale=4)
                    c_go = gr.Button("对比 Compare", variant="primary", elem_id="c-go", scale=1)
                c_error = gr.Markdown("")
                c_table = gr.Dataframe(headers=COMPARE_COLUMNS,
                                       wrap=True, interactive=False, elem_id="c-table")

                with gr.Row():
                    c_md = gr.DownloadButton("导出 Markdown", visible=False)
                    c_csv = gr.DownloadButton("导出 CSV", visible=False)
                    c_page = gr.DownloadButton("打印页 Printable page", visible=False)

                def compare(topic):
                    try:
                        rows, md, csv_path, page = ui.compare_export(topic, settings)
                    except RagError as exc:
                        hidden = gr.update(visible=False)
                        return "错误 · Error: " + str(exc), [], hidden, hidden, hidden
                    return ("", rows, gr.update(value=md, visible=True), gr.update(value=csv_path, visible=True),
                            gr.update(value=page, visible=True))

                c_go.click(compare, c_topic, [c_error, c_table, c_md, c_csv, c_page], api_visibility="private")

            with gr.Tab("文件 Documents", id="documents"):
                documents = ui.document_rows(settings)
                d_table = gr.Dataframe(documents, headers=ui.DOCUMENT_HEADERS, wrap=True, interactive=False,
                                       elem_id="d-table")
                with gr.Row():
                    d_doc = gr.Dropdown([r[0] for r in documents], label="查看条款树 · Clause tree",
                                        elem_id="d-doc")
                d_tree = gr.Markdown("")
                d_doc.change(lambda doc: ui.clause_tree(doc, settings), d_doc, d_tree, api_visibility="private")
                if editor:
                    _editing(settings, [r[0] for r in documents], d_table, d_doc, region)

        def ask(question: str, region: str = "") -> dict:
            """Answer a policy question; returns the answer with [n] markers and its cited clauses."""
            return ui.api_ask(question, region, settings)

        gr.api(ask, api_name="ask")
    return demo


def _editing(settings, doc_ids: list[str], d_table, d_doc, region) -> None:
    """The editor's controls of the Documents tab: upload (checked, with who added it) and remove."""
    gr.Markdown("### 上传新文件 · Add a document (.txt .md .docx .pdf .html, ≤ 20 MB)")
    d_files = gr.File(file_count="multiple", file_types=ui.UPLOAD_SUFFIXES, elem_id="d-files")
    d_go = gr.Button("导入 Ingest", variant="primary", elem_id="d-go")
    d_status = gr.Markdown("", elem_id="d-status")
    gr.Markdown("### 移除文件 · Remove a document")
    with gr.Row():
        d_remove_doc = gr.Dropdown(doc_ids, label="doc_id", elem_id="d-remove-doc")
        d_remove = gr.Button("移除 Remove", variant="stop", elem_id="d-remove")

    def refreshed(status: str):
        docs = ui.document_rows(settings)
        ids = [r[0] for r in docs]
        return (status, docs, gr.update(choices=ids), gr.update(choices=ids, value=None),
                gr.update(choices=[ui.ALL_REGIONS] + ui.regions(settings)))

    def upload(files, request: gr.Request, progress=gr.Progress()):
        paths = [f if isinstance(f, str) else getattr(f, "name", str(f)) for f in (files or [])]
        try:
            status = ui.ingest_upload(paths, settings, progress=lambda name: progress(None, desc=name),
                                      added_by=f"{request.username or 'editor'} (web)")
        except RagError as exc:
            status = "错误 · Error: " + str(exc)
        return refreshed(status)

    def remove(doc_id):
        try:
            status = ui.remove_upload(doc_id, settings)
        except RagError as exc:
            status = "错误 · Error: " + str(exc)
        return refreshed(status)

    outputs = [d_status, d_table, d_doc, d_remove_doc, region]
    d_go.click(upload, d_files, outputs, api_visibility="private")
    d_remove.click(remove, d_remove_doc, outputs, api_visibility="private")


def main(argv: list[str] | None = None) -> None:
    import argparse

    from starlette.middleware import Middleware

    from rag.apps.login import ClientAddress, Logins, parse_users

    parser = argparse.ArgumentParser(description="the web app: the reader app, or with --editor the editor app")
    parser.add_argument("--editor", action="store_true", help="the editor app (upload, remove), behind "
                        "RAG_EDITORS logins, on RAG_EDITOR_HOST:RAG_EDITOR_PORT")
    args = parser.parse_args(argv)
    settings = get_settings()
    try:
        users = parse_users(settings.editors if args.editor else settings.auth,
                            "RAG_EDITORS" if args.editor else "RAG_AUTH")
    except RagError as exc:
        raise SystemExit(str(exc))
    if args.editor and not users:
        raise SystemExit("the editor app needs RAG_EDITORS=user:password[,user:password…]: "
                         "without editors nobody may change the library")
    demo = build(settings, editor=args.editor)
    # requests answered at once, and how many may wait: beyond that a client is told the queue
    # is full ("busy"), never a 5xx
    demo.queue(default_concurrency_limit=settings.concurrency, max_size=settings.queue_size)
    host, port = (settings.editor_host, settings.editor_port) if args.editor else (settings.server_host,
                                                                                  settings.server_port)
    # the middleware tells the login throttle who is calling (rag.apps.login)
    demo.launch(server_name=host, server_port=port, share=False, auth=Logins(users) if users else None,
                show_error=False, css=CSS, js=MARKER_JS, theme=gr.themes.Soft(), max_file_size="20mb",
                app_kwargs={"middleware": [Middleware(ClientAddress)]})


if __name__ == "__main__":
    main()
