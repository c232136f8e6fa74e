"""The entry reaches the bibliography in every client: protocol-level sessions acting like
the clients that cannot run here (from their sources, see /work/shared/client-behaviour.md).

- a client that ignores the completion item's `command` (eglot, Helix, Kate, vim-lsp, Neovim's
  omnifunc): the server notices the new citation and appends the entry to the closed .bib;
- a client that starts completion at Vim's keyword boundary `\\k*$` (yegappan/lsp);
- a client with the .bib open: a versioned edit of its buffer, nothing written on disk.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from lsp_editor import Editor, apply_text_edits, utf16_offset
from lsprotocol import types
from pytest_lsp import client_capabilities

from conftest import SERVER, start_editor

KEY = "mirrorDescentPolicy2020"
REFS = "@book{knuth84,\n  title = {The {\\TeX}book},\n  year = 1984,\n}\n"
PAPER = "\\documentclass{article}\n\\begin{document}\n\\cite{}\n\n\\cite{}\n" \
        "\\bibliography{refs}\n\\end{document}\n"
WRITE_WAIT = 1.6  # the server writes about 0.7 s after an accepted completion


@asynccontextmanager
async def session(root: Path, client_name: str | None = None, *, edits_to_disk: bool = True,
                  settings: object = None, profile: str = "neovim") -> AsyncIterator[Editor]:
    client = await SERVER.start()
    editor = await start_editor(client, root, client_capabilities(profile), settings,
                                client_name=client_name, edits_to_disk=edits_to_disk)
    try:
        yield editor
    finally:
        await client.shutdown_session()
        await client.stop()


def incremental_change(editor: Editor, uri: str, text: str, edit: types.TextEdit) -> str:
    """Send one edit as an incremental change (as eglot, Neovim and Vim clients do)."""
    editor.versions[uri] += 1
    editor.client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=editor.versions[uri]),
        content_changes=[types.TextDocumentContentChangePartial(range=edit.range,
                                                                text=edit.new_text)]))
    return apply_text_edits(text, [edit])


def type_text(editor: Editor, uri: str, text: str, line: int, column: int, typed: str) -> str:
    """Type `typed` at (line, column) one character per change, as a person does."""
    for offset, char in enumerate(typed):
        position = types.Position(line=line, character=column + offset)
        text = incremental_change(editor, uri, text, types.TextEdit(
            range=types.Range(start=position, end=position), new_text=char))
    return text


async def accept_without_command(editor: Editor, uri: str, text: str, line: int) -> str:
    """Type `mirror desc` in the empty \\cite{} on `line`, complete, apply the item's edits
    and never run its command."""
    text = type_text(editor, uri, text, line, 6, "mirror desc")
    items = (await editor.complete(uri, line, 17)).items
    item = next(i for i in items if i.data["key"] == KEY)
    for edit in [item.text_edit, *(item.additional_text_edits or [])]:
        text = incremental_change(editor, uri, text, edit)
    return text


def save(editor: Editor, uri: str) -> None:
    editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))


async def test_a_client_ignoring_the_command_gets_the_entry_on_disk_once(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    async with session(tmp_path, "Eglot") as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        text = await accept_without_command(editor, uri, PAPER, 2)
        assert text.split("\n")[2] == f"\\cite{{{KEY}}}"
        await asyncio.sleep(WRITE_WAIT)
        bib = (tmp_path / "refs.bib").read_text()
        assert bib.startswith(REFS + "\n@misc{" + KEY + ",\n")
        assert editor.applied == []  # the closed .bib was never sent as an edit
        # Citing the paper a second time adds nothing.
        await accept_without_command(editor, uri, text, 4)
        save(editor, uri)
        await asyncio.sleep(WRITE_WAIT)
        assert (tmp_path / "refs.bib").read_text() == bib


async def test_an_accept_undone_before_the_write_writes_nothing(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    async with session(tmp_path, "Eglot") as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        await accept_without_command(editor, uri, PAPER, 2)
        editor.change(uri, PAPER)  # undo, at once
        await asyncio.sleep(WRITE_WAIT)
        save(editor, uri)
        await asyncio.sleep(0.5)
        assert (tmp_path / "refs.bib").read_text() == REFS


async def test_a_key_typed_by_hand_is_written_on_save_only(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    async with session(tmp_path, "Eglot") as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        type_text(editor, uri, PAPER, 2, 6, KEY)
        await asyncio.sleep(WRITE_WAIT)
        assert (tmp_path / "refs.bib").read_text() == REFS  # maybe not finished typing
        save(editor, uri)
        await asyncio.sleep(0.8)
        assert (tmp_path / "refs.bib").read_text().count(f"@misc{{{KEY},") == 1


async def test_keys_cited_before_opening_are_never_auto_added(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    async with session(tmp_path, "Eglot") as editor:
        uri = editor.open("main.tex", PAPER.replace("\\cite{}", f"\\cite{{{KEY}}}", 1), "latex")
        save(editor, uri)
        await asyncio.sleep(0.8)
        assert (tmp_path / "refs.bib").read_text() == REFS


async def test_auto_add_off_leaves_it_to_the_quick_fix(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    settings = {"bibliography": {"autoAdd": "off"}}
    async with session(tmp_path, "Eglot", settings=settings) as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        await accept_without_command(editor, uri, PAPER, 2)
        save(editor, uri)
        await asyncio.sleep(WRITE_WAIT)
        assert (tmp_path / "refs.bib").read_text() == REFS


async def test_a_waiting_entry_is_written_before_shutdown(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    async with session(tmp_path, "Eglot") as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        await accept_without_command(editor, uri, PAPER, 2)
    # the session has ended (shutdown, exit) well within the write delay
    assert (tmp_path / "refs.bib").read_text().count(f"@misc{{{KEY},") == 1


async def test_vim_completes_from_its_keyword_boundary(tmp_path: Path):
    """yegappan/lsp starts at `\\k*$` and applies the edits strictly: the main edit must start
    there, and the typed text before it goes in an additional edit."""
    (tmp_path / "refs.bib").write_text(REFS)
    async with session(tmp_path, "Vim") as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        text = type_text(editor, uri, PAPER, 2, 6, "mirror desc")
        items = (await editor.complete(uri, 2, 17)).items
        item = next(i for i in items if i.data["key"] == KEY)
        assert item.text_edit.range.start.character == 13  # where `desc` starts
        assert item.text_edit.new_text == item.insert_text == KEY
        assert all(i.filter_text.startswith("desc") for i in items)  # Vim: stridx(...) == 0
        (delete,) = item.additional_text_edits
        assert (delete.range.start.character, delete.range.end.character) == (6, 13)
        for edit in [item.text_edit, delete]:
            assert edit.range.start.line == edit.range.end.line == 2
            assert utf16_offset(text, edit.range.end) <= len(text)
        text = apply_text_edits(text, [item.text_edit, delete])
        assert text.split("\n")[2] == f"\\cite{{{KEY}}}"


async def test_other_clients_get_one_edit_from_the_key_slot(tmp_path: Path):
    async with session(tmp_path, "Neovim") as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        type_text(editor, uri, PAPER, 2, 6, "mirror desc")
        items = (await editor.complete(uri, 2, 17)).items
        item = next(i for i in items if i.data["key"] == KEY)
        assert item.text_edit.range.start.character == 6
        assert item.text_edit.range.end == types.Position(line=2, character=17)
        assert item.additional_text_edits is None
        assert all(i.filter_text.startswith("mirror desc") for i in items)
        assert item.command.command == "citels.insertBibtex"  # for clients that run it


async def test_an_open_bibliography_gets_a_versioned_edit_and_no_disk_write(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    async with session(tmp_path, "Eglot", edits_to_disk=False,
                       profile="visual-studio-code") as editor:
        bib_uri = editor.open("refs.bib", REFS, "bibtex")
        editor.change(bib_uri, REFS + "% unsaved note\n")
        uri = editor.open("main.tex", PAPER, "latex")
        await accept_without_command(editor, uri, PAPER, 2)
        await asyncio.sleep(WRITE_WAIT)
        assert (tmp_path / "refs.bib").read_text() == REFS  # the editor owns the open file
        (edit,) = editor.applied
        (change,) = edit.document_changes
        assert change.text_document.uri == bib_uri and change.text_document.version == 2
        (insert,) = change.edits
        # the end of the last real line, never the empty line after the final newline
        assert insert.range.start == insert.range.end == types.Position(line=4, character=14)
        buffer = apply_text_edits(REFS + "% unsaved note\n", [insert])
        assert buffer.startswith(REFS + "% unsaved note\n\n@misc{" + KEY + ",\n")
        assert buffer.endswith("}\n") and not buffer.endswith("\n\n")


async def test_a_symlinked_bibliography_stays_a_link(tmp_path: Path):
    library = tmp_path / "library"
    library.mkdir()
    (library / "all.bib").write_text(REFS)
    os.chmod(library / "all.bib", 0o600)
    (tmp_path / "refs.bib").symlink_to(library / "all.bib")
    async with session(tmp_path, "Eglot") as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        await accept_without_command(editor, uri, PAPER, 2)
        await asyncio.sleep(WRITE_WAIT)
    assert (tmp_path / "refs.bib").is_symlink()
    assert (library / "all.bib").read_text().count(f"@misc{{{KEY},") == 1
    assert (library / "all.bib").stat().st_mode & 0o777 == 0o600


async def test_two_documents_sharing_a_bibliography_add_one_entry(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    async with session(tmp_path, "Eglot") as editor:
        first = editor.open("a.tex", PAPER, "latex")
        second = editor.open("b.tex", PAPER, "latex")
        await accept_without_command(editor, first, PAPER, 2)
        await accept_without_command(editor, second, PAPER, 2)
        await asyncio.sleep(WRITE_WAIT)
        save(editor, first)
        save(editor, second)
        await asyncio.sleep(0.8)
        assert (tmp_path / "refs.bib").read_text().count(f"@misc{{{KEY},") == 1


async def test_the_quick_fix_adds_an_entry_the_user_removed_again(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    async with session(tmp_path, "Eglot") as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        await accept_without_command(editor, uri, PAPER, 2)
        await asyncio.sleep(WRITE_WAIT)
        assert KEY in (tmp_path / "refs.bib").read_text()
        (tmp_path / "refs.bib").write_text(REFS)  # removed by hand
        result = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
            command="citels.addEntries", arguments=[uri, [KEY]]))
        assert result["added"] == [KEY]
        assert (tmp_path / "refs.bib").read_text().count(f"@misc{{{KEY},") == 1


async def test_the_log_level_setting_keeps_info_out_of_the_log(tmp_path: Path):
    (tmp_path / "refs.bib").write_text(REFS)
    settings = {"log": {"level": "warning"}, "noSuchSetting": 1}
    async with session(tmp_path, "Eglot", settings=settings) as editor:
        uri = editor.open("main.tex", PAPER, "latex")
        await accept_without_command(editor, uri, PAPER, 2)
        await asyncio.sleep(WRITE_WAIT)
        assert KEY in (tmp_path / "refs.bib").read_text()  # logged as info: not sent
        messages = [(m.type, m.message) for m in editor.client.log_messages]
        assert messages == [(types.MessageType.Warning,
                             "unknown setting citels.noSuchSetting (ignored)")]
