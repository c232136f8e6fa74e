"""A workspace .bib saved while the server runs: the change is found without a restart, and
a change to the @string macros of another .bib of the library shows in hover."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from lsp_editor import Editor
from lsprotocol import types
from test_settings import session, wait_for_log

from citels.locations import workspace_database
from conftest import SERVER

REFS = "".join(
    f"@article{{old{number},\n  title = {{Widgets of Yore, Part {number}}},\n"
    f"  journal = jot,\n  year = {{{1900 + number}}},\n}}\n\n" for number in range(50))


def save(editor: Editor, path: Path) -> None:
    editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=path.as_uri())))


async def hover_text(editor: Editor, uri: str) -> str:
    hover = await editor.hover(uri, 0, 8)
    assert hover is not None and isinstance(hover.contents, types.MarkupContent)
    return hover.contents.value


async def test_saved_bib_changes_complete_and_a_sibling_macro_shows_in_hover(tmp_path: Path):
    (tmp_path / "abbrev.bib").write_text('@string{jot = "Journal of Old Things"}\n')
    refs = tmp_path / "refs.bib"
    refs.write_text(REFS)
    async with session(tmp_path) as editor:
        await wait_for_log(editor, "workspace bibliographies: indexed")
        uri = editor.open("paper.tex", "\\cite{old7}", "latex")
        assert "Journal of Old Things" in await hover_text(editor, uri)

        # The macro changes in the other file: the entries using it show the new value.
        (tmp_path / "abbrev.bib").write_text('@string{jot = "Journal of New Things"}\n')
        save(editor, tmp_path / "abbrev.bib")
        for _ in range(200):
            if "Journal of New Things" in await hover_text(editor, uri):
                break
            await asyncio.sleep(0.05)
        assert "Journal of New Things" in await hover_text(editor, uri)

        # An entry added in the middle of the file completes after the save, and the
        # entries below it are found at their new lines.
        text = refs.read_text()
        refs.write_text(text.replace("@article{old20,", "@article{zebra2099,\n  title ="
                                     " {Quixotic Zebra Lattices},\n  year = {2099},\n}\n\n"
                                     "@article{old20,"))
        save(editor, refs)
        draft = editor.open("draft.tex", "\\cite{quixotic zebra", "latex")
        keys: list[str] = []
        for _ in range(200):
            items = (await editor.complete(draft, 0, 20)).items
            keys = [item.text_edit.new_text for item in items if item.text_edit]
            if "zebra2099" in keys:
                break
            await asyncio.sleep(0.05)
        assert keys[:1] == ["zebra2099"]
        citing = editor.open("citing.tex", "\\cite{old30}", "latex")
        definition = await editor.client.text_document_definition_async(
            types.DefinitionParams(text_document=types.TextDocumentIdentifier(uri=citing),
                                   position=types.Position(line=0, character=8)))
        assert isinstance(definition, list) and len(definition) == 1
        line = refs.read_text().splitlines()[definition[0].range.start.line]
        assert line == "@article{old30,"


async def test_a_bibliography_made_after_the_start_is_indexed_and_completes(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("XDG_CACHE_HOME", SERVER.server_env["XDG_CACHE_HOME"])
    async with session(tmp_path) as editor:
        first = editor.open("first.tex", "\\cite{mirror descent policy", "latex")
        items = (await editor.complete(first, 0, 27)).items  # the corpus answers alone
        assert items[0].text_edit.new_text == "mirrorDescentPolicy2020"
        await wait_for_log(editor, "corpus: ")
        # No bibliography in the workspace: no index of it is made (until one appears).
        assert not workspace_database([tmp_path]).exists()

        (tmp_path / "refs.bib").write_text(REFS)
        editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=(tmp_path / "refs.bib").as_uri(),
                                     type=types.FileChangeType.Created)]))
        await wait_for_log(editor, "workspace bibliographies: indexed: 50 added")
        draft = editor.open("draft.tex", "\\cite{widgets of yore part 7", "latex")
        items = (await editor.complete(draft, 0, 28)).items
        assert items[0].text_edit.new_text == "old7"
        assert workspace_database([tmp_path]).exists()
