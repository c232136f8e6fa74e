"""What the readers skip or forgave in a library file reaches the editor as diagnostics on the
file and line (issue 17's "clear messages"), over stdio as Neovim and VS Code."""

from __future__ import annotations

import asyncio

from lsp_editor import Editor
from lsprotocol import types

# An entry without a key (as Mendeley writes it), a repeated field (bibtex and biber keep
# one value), a crossref to an entry no file defines, and a key defined twice.
BROKEN = """\
@article{,
  title = {An entry without a key},
}

@article{repeated2001,
  title = {First title},
  year = 2001,
  title = {Second title},
}

@inproceedings{orphan2020,
  title = {A chapter 🙂 whose book is missing},
  crossref = {nowhere2020},
}

@misc{twice,
  title = {Once},
}

@misc{twice,
  title = {Twice},
}
"""
FIXED = """\
@article{keyed2001,
  title = {An entry with a key},
}

@article{repeated2001,
  title = {First title},
  year = 2001,
}

@inproceedings{orphan2020,
  title = {A chapter 🙂 whose book is missing},
  booktitle = {The Book},
}
"""
EXPECTED = [
    (0, "an entry without a key; skipped"),
    (7, "repeated2001 repeats field title; the first value is kept"),
    (10, "orphan2020 has crossref nowhere2020, which no file of the library defines;"
         " nothing is inherited from it"),
    (19, "twice is defined 2 times in this file"),
]


async def published(editor: Editor, uri: str, *, settle: float = 0.8) -> list:
    """The diagnostics last published for `uri`, once the server has settled."""
    for _ in range(100):
        await asyncio.sleep(0.05)
        if uri in editor.client.diagnostics:
            break
    await asyncio.sleep(settle)
    return sorted(editor.client.diagnostics.get(uri, []), key=lambda d: d.range.start.line)


async def reindex(editor: Editor) -> None:
    await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.reindex"))


def lines_and_messages(diagnostics: list) -> list[tuple[int, str]]:
    return [(d.range.start.line, d.message) for d in diagnostics]


async def test_reader_warnings_show_on_their_lines_once_and_clear_when_fixed(editor: Editor):
    bib = editor.root / "refs.bib"
    bib.write_text(BROKEN, encoding="utf-8")
    uri = bib.as_uri()
    await reindex(editor)
    # Not open: the workspace index's warnings, on the file. (A key defined twice is the
    # duplicate diagnostic's to name, which an open file gets.)
    closed = await published(editor, uri)
    assert lines_and_messages(closed) == [
        *EXPECTED[:3], (19, "a second entry twice; skipped")]
    assert {(d.severity, d.source) for d in closed} == {
        (types.DiagnosticSeverity.Warning, "citels")}
    assert closed[1].range == types.Range(start=types.Position(line=7, character=2),
                                          end=types.Position(line=7, character=25))

    # Open: the same problems, each named once, the duplicate by its key.
    editor.client.diagnostics.pop(uri, None)
    opened = editor.open("refs.bib", BROKEN, "bibtex")
    assert opened == uri
    assert lines_and_messages(await published(editor, uri)) == EXPECTED

    # Fixed in the buffer, not saved yet: read again as the editor has it.
    editor.client.diagnostics.pop(uri, None)
    editor.change(uri, FIXED)
    assert await published(editor, uri) == []

    # Saved and closed: the index reads it again and has nothing to say.
    bib.write_text(FIXED, encoding="utf-8")
    editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    await reindex(editor)
    editor.client.text_document_did_close(types.DidCloseTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert await published(editor, uri) == []


async def test_a_problem_typed_into_an_open_bib_is_shown_before_saving(editor: Editor):
    uri = editor.open("refs.bib", FIXED, "bibtex")
    await reindex(editor)
    assert await published(editor, uri) == []
    broken = FIXED.replace("  year = 2001,\n", "  year = 2001,\n  YEAR = 2002,\n")
    editor.change(uri, broken)
    assert lines_and_messages(await published(editor, uri)) == [
        (7, "repeated2001 repeats field year; the first value is kept")]


async def test_a_json_file_that_is_no_library_gets_no_diagnostics(editor: Editor):
    package = editor.root / "package.json"
    package.write_text('{"name": "not a bibliography"}\n', encoding="utf-8")
    await reindex(editor)
    uri = editor.open("package.json", package.read_text(), "json")
    assert await published(editor, uri, settle=1.0) == []


async def test_a_hayagriva_library_of_a_typst_document_shows_its_warnings(editor: Editor):
    (editor.root / "main.typ").write_text('See @knuth84.\n#bibliography("refs.yml")\n',
                                          encoding="utf-8")
    text = ("knuth84:\n  type: book\n  title: The TeXbook\n  date: 1984\n"
            "knuth84:\n  type: book\n  title: The TeXbook, again\n")
    (editor.root / "refs.yml").write_text(text, encoding="utf-8")
    uri = (editor.root / "refs.yml").as_uri()
    await reindex(editor)
    expected = [(4, "entry knuth84 is defined again (first on line 1); the last one counts")]
    assert lines_and_messages(await published(editor, uri)) == expected
    editor.client.diagnostics.pop(uri, None)
    editor.open("refs.yml", text, "yaml")
    assert lines_and_messages(await published(editor, uri)) == expected
    editor.change(uri, text.replace("knuth84:\n  type: book\n  title: The TeXbook, again\n", ""))
    assert await published(editor, uri) == []
