"""One writer at a time: a second ingest or a remove during an ingest is told to wait."""
from __future__ import annotations

import pytest


def test_a_second_writer_is_refused_while_one_holds_the_lock(tmp_path):
    from rag.core.config import PROJECT_ROOT, Settings
    from rag.pipeline.writing import WriterBusy, ingest_paths, writer_lock

    settings = Settings(data_dir=tmp_path / "data")
    with writer_lock(settings):
        with pytest.raises(WriterBusy, match="another `rag ingest`"):
            ingest_paths([PROJECT_ROOT / "corpus" / "aba_2016.txt"], settings)


def test_rag_remove_during_an_ingest_is_told_to_wait_without_a_traceback(tmp_path):
    import subprocess
    import sys
    import textwrap

    data = tmp_path / "data"
    data.mkdir()
    # another process holds the writer lock, as a running `rag ingest` does
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from filelock import FileLock
        with FileLock({str(data / 'ingest.lock')!r}):
            print('held', flush=True)
            time.sleep(30)
    """)], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        env = {"RAG_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1", "PATH": ""}
        run = subprocess.run([sys.executable, "-m", "rag", "remove", "aba_2016"],
                             capture_output=True, text=True, env=env, timeout=120)
    finally:
        holder.kill()
    assert run.returncode == 2
    assert "try again when it ends" in run.stderr and "Traceback" not in run.stderr
