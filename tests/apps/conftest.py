"""Running the web apps for the tests: `python app.py` (the reader app) or `python app.py
--editor` as a subprocess on a free port, and Debian's Chromium driven by Playwright."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from rag.core.config import PROJECT_ROOT
from rag.llm.writer import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = PROJECT_ROOT / "artifacts" / "screenshots"


@contextmanager
def running_app(data_dir: Path, editor: bool = False, **env: str):
    """The app on ``data_dir``, its URL while the block runs; its log in artifacts/."""
    port = free_port()
    env = dict(os.environ, RAG_DATA_DIR=str(data_dir), HF_HUB_OFFLINE="1", GRADIO_ANALYTICS_ENABLED="False",
               **{"RAG_EDITOR_PORT" if editor else "GRADIO_SERVER_PORT": str(port)}, **env)
    log = PROJECT_ROOT / "artifacts" / ("editor-app.log" if editor else "app.log")
    log.parent.mkdir(exist_ok=True)
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "app.py"] + (["--editor"] if editor else []), cwd=PROJECT_ROOT,
                                env=env, stdout=out, stderr=out)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(url, timeout=2)
                break
            except urllib.error.HTTPError:  # served (a login wall answers too)
                break
            except OSError:
                assert proc.poll() is None, f"app.py exited: {log.read_text()[-2000:]}"
                assert time.monotonic() < deadline, "app.py did not start in 120 s"
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    assert os.path.exists(CHROMIUM), "Chromium is missing: apt-get install -y chromium fonts-noto-cjk (scripts/test does)"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run"])
        yield b
        b.close()
