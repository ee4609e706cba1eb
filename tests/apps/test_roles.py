"""Readers cannot change the library; editors can, behind a throttled login; every document
says where it came from. Over HTTP and in a real browser (Chromium), against `python app.py`
(the reader app) and `python app.py --editor` on a small library of their own."""
from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request

import pytest

from rag.core.model import ADDED, CATALOG
from tests.apps.conftest import SHOTS, running_app
from tests.conftest import EXAMPLE_REGULATION, index_documents

EDITOR, PASSWORD = "editor1", "s3cret-pass"
OTHER, OTHER_PASSWORD = "editor2", "other-pass"
NEW_DOCUMENT = """青石市科技成果转化奖励办法

第一条 为了激励科技成果转化，制定本办法。
第二条 职务科技成果转化所得净收入，按不低于百分之八十五的比例奖励成果完成人及其团队。
第三条 本办法自发布之日起施行。
"""


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    return index_documents(tmp_path_factory, "roles", {"rules.txt": EXAMPLE_REGULATION})


@pytest.fixture(scope="module")
def reader_url(library):
    with running_app(library.data_dir) as url:
        yield url


@pytest.fixture(scope="module")
def editor_url(library):
    with running_app(library.data_dir, editor=True, RAG_EDITORS=f"{EDITOR}:{PASSWORD},{OTHER}:{OTHER_PASSWORD}") as url:
        yield url


def _documents(settings) -> dict[str, dict]:
    from rag.index.store import ClauseStore

    with ClauseStore(settings) as store:
        return {d["doc_id"]: d for d in store.documents()}


def _status(url: str, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url, data=data, headers=headers or {},
                                     method="POST" if data is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


def _login(url: str, user: str, password: str) -> int:
    return _status(url + "login", urllib.parse.urlencode({"username": user, "password": password}).encode())[0]


@pytest.mark.slow
def test_the_reader_app_has_no_upload_control_and_no_route_that_changes_the_library(reader_url):
    code, body = _status(reader_url + "config")
    config = json.loads(body)
    assert code == 200
    types = {c["type"] for c in config["components"]}
    ids = {c.get("props", {}).get("elem_id") for c in config["components"]}
    assert "file" not in types and not ids & {"d-files", "d-go", "d-remove", "d-remove-doc"}
    # the one API endpoint is /ask; every other event is the page's own, and none of them edits
    code, body = _status(reader_url + "gradio_api/info")
    assert code == 200 and set(json.loads(body)["named_endpoints"]) == {"/ask"}
    assert "ingest" not in body.lower() and "upload" not in body.lower()


@pytest.mark.slow
def test_a_reader_sees_the_documents_and_where_they_came_from_but_no_upload(browser, reader_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(reader_url, wait_until="load")
    page.get_by_role("tab", name="文件 Documents").click()
    page.wait_for_function("document.querySelector('#d-table').innerText.includes('示例市促进科技成果转化条例')",
                           timeout=60_000)
    table = page.locator("#d-table").inner_text()
    assert "新增 added" in table and "command line" in table and "sha256" in table
    # no upload control: the one file input on the page is the read-only table's own (disabled) drop zone
    outside_table = page.evaluate("Array.from(document.querySelectorAll('input[type=file]'))"
                                  ".filter(e => !e.closest('#d-table')).length")
    assert outside_table == 0 and page.locator("#d-files").count() == 0 and page.locator("#d-go").count() == 0
    assert page.get_by_text("上传新文件").count() == 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reader-documents.png"), full_page=True)
    page.close()


@pytest.mark.slow
def test_editing_without_an_editor_login_is_refused_and_changes_nothing(editor_url, library, tmp_path):
    before = _documents(library)
    upload = tmp_path / "青石市科技成果转化奖励办法.txt"
    upload.write_text(NEW_DOCUMENT, encoding="utf-8")
    boundary = "x" * 16
    form = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"{upload.name}\"\r\n"
            f"Content-Type: text/plain\r\n\r\n{NEW_DOCUMENT}\r\n--{boundary}--\r\n").encode()
    refused = [
        _status(editor_url + "config"),
        _status(editor_url + "gradio_api/info"),
        _status(editor_url + "gradio_api/upload", form, {"Content-Type": f"multipart/form-data; boundary={boundary}"}),
        *(_status(editor_url + "gradio_api/queue/join", json.dumps(
            {"data": [[str(upload)]], "fn_index": i, "session_hash": "intruder"}).encode(),
            {"Content-Type": "application/json"}) for i in range(40)),
    ]
    assert {code for code, _ in refused} == {401}
    assert _documents(library) == before


@pytest.mark.slow
def test_an_editor_uploads_a_document_that_readers_then_get_answers_from_with_its_provenance(
        browser, editor_url, reader_url, library, tmp_path):
    from gradio_client import Client

    upload = tmp_path / "青石市科技成果转化奖励办法.txt"
    upload.write_text(NEW_DOCUMENT, encoding="utf-8")
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(editor_url, wait_until="load")
    page.locator("input[type=text]").first.fill(EDITOR)
    page.locator("input[type=password]").fill(PASSWORD)
    page.get_by_role("button", name="Login").click()
    page.get_by_role("tab", name="文件 Documents").click()
    page.locator("#d-files input[type=file]").set_input_files(str(upload))
    page.locator("#d-go").click()
    page.wait_for_function("document.querySelector('#d-status').innerText.includes('已导入')", timeout=120_000)
    page.wait_for_function("document.querySelector('#d-table').innerText.includes('青石市')", timeout=30_000)
    table = page.locator("#d-table").inner_text()
    sha = hashlib.sha256(upload.read_bytes()).hexdigest()
    assert f"{EDITOR} (web)" in table and sha[:12] in table
    page.screenshot(path=str(SHOTS / "editor-upload.png"), full_page=True)
    page.close()

    result = Client(reader_url, verbose=False).predict("青石市成果完成人的奖励比例是多少？", "", api_name="/ask")
    assert "85%" in result["answer"]
    cited = result["citations"][0]["provenance"]
    assert cited["added_by"] == f"{EDITOR} (web)" and cited["file_sha256"] == sha and cited["origin"] == ADDED
    assert cited["file_name"] == upload.name and cited["file_size"] == upload.stat().st_size
    assert cited["reader"] and cited["encoding"] and cited["added_at"]


@pytest.mark.slow
def test_six_wrong_passwords_lock_the_seventh_try_for_a_minute(editor_url):
    import http.client

    codes = [_login(editor_url, OTHER, "wrong") for _ in range(6)]
    assert codes == [400] * 5 + [429]
    assert _login(editor_url, OTHER, OTHER_PASSWORD) == 429  # the right password, locked out
    # from another address the editor still logs in: a stranger who knows the name cannot lock it out
    url = urllib.parse.urlparse(editor_url)
    other = http.client.HTTPConnection(url.hostname, url.port, timeout=30, source_address=("127.0.0.2", 0))
    other.request("POST", "/login", urllib.parse.urlencode({"username": OTHER, "password": OTHER_PASSWORD}),
                  {"Content-Type": "application/x-www-form-urlencoded"})
    assert other.getresponse().status == 200


def test_the_throttle_counts_failures_per_user_and_address_and_unlocks_after_a_minute():
    from rag.apps.login import CLIENT, LOCK_SECONDS, Logins, TooManyAttempts

    now = [0.0]
    logins = Logins({"a": "pw-a", "b": "pw-b"}, clock=lambda: now[0])
    token = CLIENT.set("10.0.0.1")
    try:
        assert not any(logins("a", "nope") for _ in range(5))
        with pytest.raises(TooManyAttempts):
            logins("a", "pw-a")
        assert logins("b", "pw-b")  # another user is not locked
    finally:
        CLIENT.reset(token)
    token = CLIENT.set("10.0.0.2")
    try:
        assert logins("a", "pw-a")  # nor the same user from elsewhere
    finally:
        CLIENT.reset(token)
    token = CLIENT.set("10.0.0.1")
    try:
        now[0] += LOCK_SECONDS + 1
        assert logins("a", "pw-a")  # a minute later, unlocked
    finally:
        CLIENT.reset(token)


def test_logins_are_read_from_user_password_pairs_and_refuse_half_pairs():
    from rag.apps.login import parse_users
    from rag.core.errors import ConfigError

    assert parse_users("alice:p1, bob:p:2", "RAG_EDITORS") == {"alice": "p1", "bob": "p:2"}
    assert parse_users("", "RAG_EDITORS") == {}
    with pytest.raises(ConfigError, match="RAG_EDITORS"):
        parse_users("alice", "RAG_EDITORS")


@pytest.mark.slow
def test_an_upload_that_is_not_a_policy_document_is_refused_with_the_reason_and_not_kept(tmp_path):
    from rag.apps import views as ui
    from rag.core.config import Settings

    notes = tmp_path / "notes.txt"
    notes.write_text("Meeting notes\n\nWe agreed to revisit the budget.\n1. Send the draft.\n2. Book a room.\n",
                     encoding="utf-8")
    diary = tmp_path / "diary.txt"
    diary.write_text("春天来了\n\n小明今天去公园散步，看见很多花开了。他很高兴，回家写了一篇日记。\n", encoding="utf-8")
    settings = Settings(data_dir=tmp_path / "data")
    status = ui.ingest_upload([str(notes), str(diary)], settings)
    assert "notes.txt: 不是政策文件" in status and "mostly non-Chinese text" in status
    assert "diary.txt: 不是政策文件" in status and "not a policy document" in status
    assert not list((settings.data_dir / "uploads").iterdir())


@pytest.mark.slow
def test_catalog_documents_are_marked_and_every_chunk_says_where_it_came_from(indexed_settings):
    from rag.index.store import ClauseStore

    with ClauseStore(indexed_settings) as store:
        documents = store.documents()
        chunk = store.all_chunks("aba_2016")[0]
    assert {d["origin"] for d in documents} == {CATALOG}
    assert all(d["added_by"].startswith("command line") and d["file_sha256"] for d in documents)
    assert chunk.metadata["file_sha256"] == hashlib.sha256(
        (indexed_settings.corpus_dir / "aba_2016.txt").read_bytes()).hexdigest()


@pytest.mark.slow
def test_an_editor_removes_what_editors_uploaded_and_nothing_else(tmp_path_factory, tmp_path):
    from rag.apps import views as ui
    from rag.core.errors import RagError

    settings = index_documents(tmp_path_factory, "removing", {"rules.txt": EXAMPLE_REGULATION})
    upload = tmp_path / "青石市科技成果转化奖励办法.txt"
    upload.write_text(NEW_DOCUMENT, encoding="utf-8")
    assert ui.ingest_upload([str(upload)], settings, added_by="editor1 (web)").startswith("已导入")
    uploaded = next(d for d, meta in _documents(settings).items() if meta["source_file"] == upload.name)
    operators = next(d for d, meta in _documents(settings).items() if meta["source_file"] == "rules.txt")
    with pytest.raises(RagError, match="was not uploaded by an editor"):
        ui.remove_upload(operators, settings)
    assert ui.remove_upload(uploaded, settings).startswith("已移除")
    assert set(_documents(settings)) == {operators} and not (settings.data_dir / "uploads" / upload.name).exists()
