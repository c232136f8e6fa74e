"""A workspace whose .bib is large and has no index yet (issue 17's cold start): its first
index runs in one child `citels index`, started as the server reads `initialize`, before
the protocol is loaded (early_index.py); completions list its papers once they are
written, and the server's own check of the index waits for that run instead of starting
another."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from unittest.mock import patch

from lsprotocol import types
from pytest_lsp import client_capabilities

from citels.early_index import CHILD_PROCESS_BYTES
from citels.locations import workspace_database
from conftest import SERVER, start_editor

ENTRY = """@article{{marsh{n},
  title = {{Salt Marsh Survey {n} of Wandering Herons}},
  author = {{Okonkwo, Ada and Lindqvist, Bo}},
  journal = {{Field Notes}}, year = {{{year}}},
  abstract = {{{abstract}}},
}}

"""
ABSTRACT = "We count the herons of a salt marsh at dawn and at dusk, in every season. " * 6


def large_bib(path: Path, least: int = CHILD_PROCESS_BYTES) -> int:
    """A .bib just over `least` bytes (by default, the size whose first index goes to a
    child); its entry count."""
    entries, text = 0, []
    size = 0
    while size <= least:
        entry = ENTRY.format(n=entries, year=1990 + entries % 30, abstract=ABSTRACT)
        text.append(entry)
        size += len(entry)
        entries += 1
    path.write_text("".join(text), encoding="utf-8")
    return entries


class IndexRuns:
    """The `citels index` processes below a process, as they are seen (every 20 ms)."""

    def __init__(self, pid: int) -> None:
        self.pid, self.seen = pid, set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            for child in _children(self.pid):
                try:
                    words = Path(f"/proc/{child}/cmdline").read_bytes().split(b"\0")
                except OSError:
                    continue
                if b"citels" in words and b"index" in words:
                    self.seen.add(child)
            time.sleep(0.02)

    def stop(self) -> set[int]:
        self._stop.set()
        self._thread.join()
        return self.seen


def _children(pid: int) -> list[int]:
    try:
        text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    except OSError:
        return []
    return [int(word) for word in text.split()]


async def test_a_large_bib_is_indexed_once_by_a_child_started_with_the_server(tmp_path: Path):
    root = tmp_path / "ws"
    root.mkdir()
    count = large_bib(root / "library.bib")
    client = await SERVER.start()
    runs = IndexRuns(client._server.pid)
    try:
        editor = await start_editor(client, root, client_capabilities("neovim"))
        target = f"marsh{count - 3}"  # near the file's end
        text = f"\\cite{{salt marsh survey {count - 3}"
        uri = editor.open("paper.tex", text, "latex")
        found = []
        for _ in range(600):  # completions answer from the first index once it is written
            result = await editor.complete(uri, 0, len(text))
            found = [(item.text_edit.new_text if item.text_edit else item.label)
                     for item in result.items[:5]]
            if target in found:
                break
            await asyncio.sleep(0.05)
        assert target in found
        # The whole run ends, and the server's check after it finds nothing left to read.
        stats = await client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="citels.stats"))
        assert stats["papers"] == 400 + count
        logged = [message.message for message in client.log_messages]
        assert any(message.startswith(f"workspace bibliographies: indexed: {count} added")
                   for message in logged), logged
        assert any(message.startswith(f"workspace bibliographies: index unchanged: {count}")
                   for message in logged), logged
    finally:
        await client.shutdown_session()
        await client.stop()
    assert len(runs.stop()) == 1  # one run: the server's check did not start a second


async def test_the_servers_own_start_up_work_waits_until_the_papers_are_listed(
        tmp_path: Path):
    """While the first index of a large .bib runs beside the server, the server's own
    start-up work (its check of the corpus index, the saved keys, the warm-up) waits until
    that run's papers are listed: the run has both cores meanwhile."""
    root = tmp_path / "ws"
    root.mkdir()
    large_bib(root / "library.bib", 3 * CHILD_PROCESS_BYTES)  # a run of a second or two
    with patch.dict(os.environ, {"XDG_CACHE_HOME": SERVER.server_env["XDG_CACHE_HOME"]}):
        database = workspace_database([root])
    client = await SERVER.start()
    try:
        editor = await start_editor(client, root, client_capabilities("neovim"))
        # The writer cites at once: the start-up work waited for this first completion.
        text = "\\cite{salt marsh"
        await editor.complete(editor.open("paper.tex", text, "latex"), 0, len(text))
        checking = listed_when_checking = None
        for _ in range(1500):  # the corpus check begins with a progress report
            checking = next((report for reports in client.progress_reports.values()
                             for report in reports
                             if isinstance(report, types.WorkDoneProgressBegin)
                             and report.message == "checking the corpus index"), None)
            if checking is not None:
                listed_when_checking = _papers_in(database) > 0
                break
            await asyncio.sleep(0.02)
        assert checking is not None
        assert listed_when_checking, "the corpus check began before the papers were listed"
    finally:
        await client.shutdown_session()
        await client.stop()


def _papers_in(database: Path) -> int:
    """The papers an index has committed (none while its file is still being made)."""
    try:
        with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as conn:
            return conn.execute("SELECT count(*) FROM papers").fetchone()[0]
    except sqlite3.Error:
        return 0
