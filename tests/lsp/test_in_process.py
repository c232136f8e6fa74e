"""Completion, hover and diagnostics from a server built in this process (`create_server`),
besides the same features over stdio in the other tests."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from in_process import serve_in_process
from lsprotocol import types

from citels.lsp.project import defined_keys
from citels.store import Store
from conftest import DATABASE, REPO

MDPO_KEY = "mirrorDescentPolicy2020"
MDPO = "Mirror Descent Policy Optimization"


@pytest.fixture
async def session(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # workspace indexes
    root = tmp_path / "ws"
    root.mkdir()
    async with serve_in_process(root, REPO / "corpus", DATABASE) as (editor, server):
        yield editor, server


async def test_completion_offers_the_paper_by_its_title(session):
    editor, server = session
    line = r"See \citep{mirror desc"
    uri = editor.open("paper.tex", line + "\n", "latex")
    result = await editor.complete(uri, 0, len(line))
    assert result.is_incomplete is True
    first = result.items[0]
    assert (first.label, first.detail) == (MDPO, f"2020 · {MDPO_KEY}")
    assert isinstance(first.text_edit, types.TextEdit)
    assert first.text_edit.new_text == MDPO_KEY
    assert (first.text_edit.range.start.character, first.text_edit.range.end.character) == (
        len(r"See \citep{"), len(line))


async def test_completion_survives_a_store_that_fails(session):
    editor, server = session
    broken = Store(server.catalogue.stores[-1].path)
    broken.close()  # every query on it now raises sqlite3.ProgrammingError
    server.catalogue.stores.insert(0, broken)
    line = r"See \citep{mirror desc"
    uri = editor.open("paper.tex", line + "\n", "latex")
    result = await editor.complete(uri, 0, len(line))
    assert result.items[0].label == MDPO


async def test_hover_on_a_cited_key_shows_the_paper(session):
    editor, _ = session
    text = f"As [@{MDPO_KEY}, p. 4] shows."
    uri = editor.open("notes.md", text, "markdown")
    result = await editor.hover(uri, 0, 8)
    assert result is not None and isinstance(result.contents, types.MarkupContent)
    assert result.contents.value.split("\n\n")[0] == f"**{MDPO}**"
    assert (result.range.start.character, result.range.end.character) == (
        text.index(MDPO_KEY), text.index(MDPO_KEY) + len(MDPO_KEY))


async def test_diagnostics_name_the_missing_key_and_its_fix(session):
    editor, _ = session
    (editor.root / "refs.bib").write_text("@book{knuth84,\n  title = {The TeXbook},\n}\n")
    text = ("\\documentclass{article}\n\\begin{document}\n"
            f"\\cite{{knuth84}} and \\cite{{{MDPO_KEY}}} 🎉 \\cite{{nobody99}}\n"
            "\\bibliography{refs}\n\\end{document}\n")
    uri = editor.open("paper.tex", text, "latex")
    for _ in range(100):
        if uri in editor.client.diagnostics:
            break
        await asyncio.sleep(0.05)
    diagnostics = editor.client.diagnostics[uri]
    assert [d.message for d in diagnostics] == [
        f"{MDPO_KEY} is not in refs.bib; the corpus has it: “{MDPO}”",
        "nobody99 is in no bibliography of this document (refs.bib)"]
    # The range counts UTF-16 units: the emoji before nobody99 is two of them.
    line = text.split("\n")[2]
    start = len(line[:line.index("nobody99")].encode("utf-16-le")) // 2
    assert diagnostics[1].range.start.character == start
    actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=[diagnostics[0]])))
    assert actions[0].title == f"Add entry for {MDPO_KEY} to refs.bib"


async def test_a_saved_bibliography_is_read_again_once_it_changes_on_disk(session):
    # The keys of a .bib the editor has not open are kept between changes (a big one read
    # whole at every new citation took the server's memory past 200 MB): kept only while
    # the file on disk is the same.
    editor, server = session
    bib = editor.root / "refs.bib"
    bib.write_text("@book{knuth84,\n  title = {The TeXbook},\n}\n")
    text = "\\cite{knuth84} \\cite{lamport94}\n\\bibliography{refs}\n"
    uri = editor.open("paper.tex", text, "latex")
    doc = server.document(uri)
    assert defined_keys(server, doc) >= {"knuth84"}
    assert "lamport94" not in defined_keys(server, doc)
    bib.write_text(bib.read_text() + "@book{Lamport94,\n  title = {LaTeX},\n}\n")
    assert defined_keys(server, doc) >= {"knuth84", "lamport94"}
    bib.unlink()
    assert defined_keys(server, doc) == set()


async def _kept_keys(server, bib: Path, wanted: str) -> frozenset[str]:
    """The keys the server keeps for `bib`, once they hold `wanted` (5 s at most)."""
    for _ in range(100):
        kept = server.saved_bib_keys.get(bib)
        if kept is not None and wanted in kept[1]:
            return kept[1]
        await asyncio.sleep(0.05)
    return frozenset()


async def test_a_workspace_bibliographys_keys_are_read_before_a_document_asks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # Read when a document is first diagnosed or cites a new key, on the event loop, a
    # 30,000-entry .bib held the keystrokes behind it for up to 1.6 s: its keys are read in
    # a thread once the workspace opens (after the first completion, or half a second),
    # and again once a save's index run has ended. No document asks for them here.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = tmp_path / "ws"
    root.mkdir()
    bib = root / "refs.bib"
    bib.write_text("@book{Knuth84,\n  title = {The TeXbook},\n}\n")
    async with serve_in_process(root, REPO / "corpus", DATABASE) as (editor, server):
        assert await _kept_keys(server, bib, "knuth84") == {"knuth84"}

        bib.write_text(bib.read_text() + "@book{lamport94,\n  title = {LaTeX},\n}\n")
        editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=bib.as_uri())))
        assert await _kept_keys(server, bib, "lamport94") == {"knuth84", "lamport94"}
        # What a document citing a new key is told is what was read.
        uri = editor.open("paper.tex", "\\cite{lamport94}\n\\bibliography{refs}\n", "latex")
        assert defined_keys(server, server.document(uri)) == {"knuth84", "lamport94"}
