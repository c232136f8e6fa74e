"""Workspace intelligence over stdio: diagnostics, quick fixes, navigation, rename, symbols,
on small multi-file projects (a LaTeX thesis, a Quarto book, a Markdown note)."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

import pytest
from lsp_editor import Editor, apply_workspace_edit
from lsprotocol import types

FIXTURES = Path(__file__).parents[1] / "fixtures"
MDPO_KEY = "mirrorDescentPolicy2020"


def copy_project(editor: Editor, name: str) -> Path:
    target = editor.root / name
    shutil.copytree(FIXTURES / name, target)
    return target


async def diagnostics_of(editor: Editor, uri: str, *, settle: float = 0.8) -> list:
    """The diagnostics published for a document once the server has settled (debounced)."""
    for _ in range(100):
        await asyncio.sleep(0.05)
        if uri in editor.client.diagnostics:
            break
    await asyncio.sleep(settle)
    return list(editor.client.diagnostics.get(uri, []))


def open_file(editor: Editor, path: Path, language: str) -> str:
    return editor.open(str(path.relative_to(editor.root)), path.read_text(), language)


async def test_thesis_chapter_missing_entry_fix_definition_and_rename(editor: Editor):
    thesis = copy_project(editor, "thesis")
    chapter = open_file(editor, thesis / "chapters" / "one.tex", "latex")
    diagnostics = await diagnostics_of(editor, chapter)
    # One warning: the corpus paper missing from refs.bib (knuth84 is there; comments and
    # verbatim are not citations).
    assert [d.message for d in diagnostics] == [
        f"{MDPO_KEY} is not in refs.bib; the corpus has it: “Mirror Descent Policy Optimization”"]
    (warning,) = diagnostics
    assert warning.severity == types.DiagnosticSeverity.Warning
    assert (warning.range.start.line, warning.range.start.character) == (2, 10)
    actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=chapter), range=warning.range,
        context=types.CodeActionContext(diagnostics=[warning])))
    # refs.bib is not open: the fix is a command that appends on disk, not an edit that would
    # open it as an unsaved buffer. (pygls' client reads a CodeAction carrying a command as a
    # bare Command, hence only its title is compared.)
    fix = actions[0]
    assert fix.title == f"Add entry for {MDPO_KEY} to refs.bib"
    before = (thesis / "refs.bib").read_bytes()
    result = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.addEntries", arguments=[chapter, [MDPO_KEY]]))
    assert result["added"] == [MDPO_KEY]
    assert editor.applied == []
    after = (thesis / "refs.bib").read_bytes()
    assert after.startswith(before) and f"@misc{{{MDPO_KEY},".encode() in after
    editor.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        changes=[types.FileEvent(uri=(thesis / "refs.bib").as_uri(),
                                 type=types.FileChangeType.Changed)]))
    editor.client.diagnostics.pop(chapter, None)
    assert await diagnostics_of(editor, chapter) == []
    # Go to definition: the new entry in the thesis's refs.bib.
    (location,) = await editor.client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=chapter),
        position=types.Position(line=2, character=14)))
    assert location.uri == (thesis / "refs.bib").as_uri()
    assert location.range.start.line == after.decode().split("\n").index(f"@misc{{{MDPO_KEY},")
    # Rename: the chapter, the main file and refs.bib, in one edit.
    edit = await editor.client.text_document_rename_async(types.RenameParams(
        text_document=types.TextDocumentIdentifier(uri=chapter),
        position=types.Position(line=2, character=14), new_name="tomar2020mdpo"))
    assert set(edit.changes) == {chapter, (thesis / "main.tex").as_uri(),
                                 (thesis / "refs.bib").as_uri()}
    apply_workspace_edit(edit)
    assert "\\nocite{tomar2020mdpo}" in (thesis / "main.tex").read_text()
    assert "@misc{tomar2020mdpo," in (thesis / "refs.bib").read_text()


async def test_typos_and_unknown_keys_get_replace_fixes(editor: Editor):
    thesis = copy_project(editor, "thesis")
    uri = open_file(editor, thesis / "chapters" / "two.tex", "latex")
    diagnostics = await diagnostics_of(editor, uri)
    messages = [d.message for d in diagnostics]
    assert messages == ["mirorDescentPolicy2020 is in no bibliography of this document"
                        " (refs.bib)", "nobody99 is in no bibliography of this document"
                        " (refs.bib)"]
    actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=[diagnostics[0]])))
    assert actions[0].title == ("Replace with mirrorDescentPolicy2020"
                                " (Mirror Descent Policy Optimization)")
    (change,) = actions[0].edit.changes[uri]
    assert change.new_text == MDPO_KEY and change.range == diagnostics[0].range


async def test_duplicate_entries_in_a_bib_file_and_its_symbols(editor: Editor):
    thesis = copy_project(editor, "thesis")
    uri = open_file(editor, thesis / "refs.bib", "bibtex")
    diagnostics = await diagnostics_of(editor, uri)
    assert [(d.message, d.range.start.line) for d in diagnostics] == [
        ("knuth84 is defined 2 times in this file", 6)]
    symbols = await editor.client.text_document_document_symbol_async(
        types.DocumentSymbolParams(text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [(s.name, s.detail, s.range.start.line, s.range.end.line) for s in symbols] == [
        ("knuth84", "The TeXbook", 0, 4), ("knuth84", "A second entry with the same key", 6, 8)]


async def test_quarto_project_no_false_alarms(editor: Editor):
    book = copy_project(editor, "quarto")
    uri = open_file(editor, book / "intro.qmd", "quarto")
    diagnostics = await diagnostics_of(editor, uri)
    # Only the corpus paper missing from references.bib: not the cross-references, the
    # e-mail address or the code span.
    assert [d.message.split(" is ")[0] for d in diagnostics] == [MDPO_KEY]
    actions = await editor.client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri), range=diagnostics[0].range,
        context=types.CodeActionContext(diagnostics=diagnostics)))
    assert actions[0].title == f"Add entry for {MDPO_KEY} to references.bib"


async def test_markdown_note_with_a_bibliography_list_and_inline_references(editor: Editor):
    note = copy_project(editor, "note")
    uri = open_file(editor, note / "note.md", "markdown")
    diagnostics = await diagnostics_of(editor, uri)
    assert [d.message for d in diagnostics] == [
        "missingOne is in no bibliography of this document (a.bib, b.bib)"]
    (location,) = await editor.client.text_document_definition_async(types.DefinitionParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=10, character=20)))
    assert location.uri == (note / "b.bib").as_uri()


async def test_references_and_workspace_symbols(editor: Editor):
    thesis = copy_project(editor, "thesis")
    uri = open_file(editor, thesis / "chapters" / "one.tex", "latex")
    locations = await editor.client.text_document_references_async(types.ReferenceParams(
        text_document=types.TextDocumentIdentifier(uri=uri),
        position=types.Position(line=2, character=60),
        context=types.ReferenceContext(include_declaration=True)))
    found = sorted((Path(loc.uri).name if "://" not in loc.uri else loc.uri.rsplit("/", 1)[1],
                    loc.range.start.line) for loc in locations)
    assert found == [("one.tex", 2), ("refs.bib", 0), ("two.tex", 1)]
    symbols = await editor.client.workspace_symbol_async(types.WorkspaceSymbolParams(
        query="mirror descent pol"))
    first = symbols[0]
    assert first.name == "Mirror Descent Policy Optimization"
    assert first.container_name == MDPO_KEY
    assert first.location.uri.endswith(".txt")  # its place in the corpus file


@pytest.mark.parametrize("new_name", ["has space", "knuth84", ""])
async def test_rename_refuses_invalid_or_taken_keys(editor: Editor, new_name: str):
    thesis = copy_project(editor, "thesis")
    uri = open_file(editor, thesis / "chapters" / "one.tex", "latex")
    with pytest.raises(Exception, match="not a valid citation key|taken already"):
        await editor.client.text_document_rename_async(types.RenameParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=2, character=14), new_name=new_name))


async def test_tidy_adds_missing_entries_and_remove_unused_keeps_everything_else(
        editor: Editor):
    thesis = copy_project(editor, "thesis")
    bib = thesis / "refs.bib"
    bib.write_text("% my references\n@book{knuth84,\n  title = {The {\\TeX}book},\n}\n\n"
                   "@misc{unused2001,\n  title = {Nobody cites me},\n}\n\n"
                   "% a comment to keep\n@misc{alsoUnused,\n  title = {Nor me}}\n")
    uri = open_file(editor, thesis / "chapters" / "two.tex", "latex")
    (main_text, two) = ((thesis / "main.tex").read_text(), uri)
    result = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.tidyBibliography", arguments=[two]))
    assert result == {"added": [], "stillMissing": ["mirorDescentPolicy2020", "nobody99"]}
    chapter = open_file(editor, thesis / "chapters" / "one.tex", "latex")
    result = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.tidyBibliography", arguments=[chapter]))
    assert result["added"] == [MDPO_KEY]
    assert f"@misc{{{MDPO_KEY}," in bib.read_text()
    result = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.removeUnusedEntries", arguments=[chapter]))
    assert sorted(result["removed"]) == ["alsoUnused", "unused2001"]
    text = bib.read_text()
    assert text.startswith("% my references\n@book{knuth84,\n  title = {The {\\TeX}book},\n}\n\n"
                           "% a comment to keep\n")
    assert "unused2001" not in text and "alsoUnused" not in text
    assert (thesis / "main.tex").read_text() == main_text


async def test_bib_entries_fold(editor: Editor):
    thesis = copy_project(editor, "thesis")
    uri = open_file(editor, thesis / "refs.bib", "bibtex")
    ranges = await editor.client.text_document_folding_range_async(types.FoldingRangeParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [(r.start_line, r.end_line) for r in ranges] == [(0, 4), (6, 8)]


async def test_unused_entry_hints_only_when_asked(tmp_path: Path):
    from test_settings import session, wait_for_log

    shutil.copytree(FIXTURES / "thesis", tmp_path / "thesis")
    bib = tmp_path / "thesis" / "refs.bib"
    bib.write_text(bib.read_text() + "\n@misc{neverCited,\n  title = {N},\n}\n")
    async with session(tmp_path, initialization_options={
            "diagnostics": {"unusedEntries": True}}) as editor:
        await wait_for_log(editor, "corpus: index")
        uri = open_file(editor, bib, "bibtex")
        hints = [d for d in await diagnostics_of(editor, uri)
                 if d.severity == types.DiagnosticSeverity.Hint]
        assert [d.message for d in hints] == ["neverCited is cited by no document of the workspace"]
    async with session(tmp_path) as editor:
        uri = open_file(editor, bib, "bibtex")
        assert all(d.severity != types.DiagnosticSeverity.Hint
                   for d in await diagnostics_of(editor, uri))


async def test_the_server_asks_to_watch_bibliography_files(editor: Editor):
    for _ in range(100):
        if editor.registrations:
            break
        await asyncio.sleep(0.05)
    if editor.client.capabilities.workspace.did_change_watched_files.dynamic_registration:
        (registration,) = editor.registrations
        patterns = [w["globPattern"] for w in registration.register_options["watchers"]]
        assert "**/*.bib" in patterns
    else:
        assert editor.registrations == []
