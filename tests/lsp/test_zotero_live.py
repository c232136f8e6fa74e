"""A Zotero library as a source over LSP: its items offered, and new ones offered live."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from lsprotocol import types
from test_settings import labels, session, wait_for_log

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from test_zotero import add_paper, hold_like_zotero  # noqa: E402
from zotero_libraries import current_library  # noqa: E402


async def test_an_item_committed_while_zotero_holds_its_lock_is_offered_without_restart(
        tmp_path: Path):
    library = current_library(tmp_path / "Zotero")
    zotero = hold_like_zotero(library.database)  # as running Zotero holds it, in WAL mode
    options = {"zotero": {"dataDirectory": str(library.directory)}}
    async with session(tmp_path / "ws", initialization_options=options) as editor:
        await wait_for_log(editor, "Zotero library: indexed")
        assert "Attention Is All You Need" in await labels(editor, r"\cite{attention all you")
        stats = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="citels.stats"))
        assert stats["zotero"]["found"] and stats["zotero"]["items"] == 12

        add_paper(zotero, library.database, "Sparse winged gravitational lenses", "new2024lens")
        assert (library.directory / "zotero.sqlite-wal").stat().st_size > 0
        for _ in range(50):  # the server looks every 2 s; a few seconds at most
            offered = await labels(editor, r"\cite{winged gravitational")
            if "Sparse winged gravitational lenses" in offered:
                break
            await asyncio.sleep(0.2)
        else:
            raise AssertionError("the new Zotero item was never offered")
    zotero.close()


async def test_zotero_can_be_turned_off(tmp_path: Path):
    library = current_library(tmp_path / "Zotero")
    options = {"zotero": {"dataDirectory": False}}
    async with session(tmp_path / "ws", initialization_options=options) as editor:
        stats = await editor.client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="citels.stats"))
        assert stats["zotero"]["found"] is False and "off" in stats["zotero"]["status"]
        assert "Attention Is All You Need" not in await labels(editor, r"\cite{attention all")
    assert library.database.exists()
