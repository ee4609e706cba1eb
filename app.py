"""政策问答 · Policy QA: the web app.

    python app.py            # http://127.0.0.1:7860 (RAG_SERVER_HOST, GRADIO_SERVER_PORT)
    rag serve                # the same

Run `rag ingest` first. The page is built in rag/apps/page.py; the chat answer is also the
API endpoint `/ask` (question, region).
"""
from rag.apps.page import build, main

__all__ = ["build", "main"]

if __name__ == "__main__":
    main()
