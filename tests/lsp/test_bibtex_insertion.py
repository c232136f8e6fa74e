"""Accepting a completion writes the paper's entry into the document's bibliography."""

from __future__ import annotations

import pytest
from lsp_editor import Editor
from lsprotocol import types

MDPO = "Mirror Descent Policy Optimization"
MDPO_KEY = "mirrorDescentPolicy2020"
USER_ENTRY = "@book{knuth84,\n  title = {The {\\TeX}book},\n  year = 1984,\n}\n"


async def cite_mdpo(editor: Editor, name: str, text: str, language: str) -> str:
    """Type a query at the '|' and accept the first item, as a writer would."""
    line = next(i for i, t in enumerate(text.split("\n")) if "|" in t)
    column = text.split("\n")[line].index("|")
    text = text.replace("|", "")
    uri = editor.open(name, text, language)
    result = await editor.complete(uri, line, column)
    assert result.items[0].label == MDPO
    return await editor.accept(uri, text, result.items[0])


async def test_latex_accept_inserts_the_key_and_appends_the_entry(editor: Editor):
    bib = editor.root / "refs.bib"
    bib.write_text(USER_ENTRY)
    doc = "\\documentclass{article}\n\\begin{document}\nSee \\citep{mirror desc|}.\n" \
          "\\bibliography{refs}\n\\end{document}\n"
    text = await cite_mdpo(editor, "paper.tex", doc, "latex")
    assert f"See \\citep{{{MDPO_KEY}}}." in text
    # refs.bib is not open in the editor: appended on disk, never sent as an edit (clients
    # open such an edit as a hidden, unsaved buffer).
    assert editor.applied == []
    content = bib.read_text()
    assert content.startswith(USER_ENTRY)  # the user's entry, byte for byte
    assert content[len(USER_ENTRY):].startswith(f"\n@misc{{{MDPO_KEY},\n  title    = {{{MDPO}}},")
    assert content.endswith("}\n")


async def test_a_second_accept_adds_nothing(editor: Editor):
    bib = editor.root / "refs.bib"
    bib.write_text("")
    await cite_mdpo(editor, "paper.tex", "\\cite{mirror desc|}\n\\bibliography{refs}\n", "latex")
    first = bib.read_text()
    assert first.count(f"@misc{{{MDPO_KEY},") == 1
    result = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.insertBibtex", arguments=[MDPO_KEY, (editor.root / "paper.tex").as_uri()]))
    assert result["added"] is False
    assert bib.read_text() == first
    assert editor.applied == []


async def test_markdown_front_matter_bibliography(editor: Editor):
    (editor.root / "lib").mkdir()
    doc = "---\ntitle: Notes\nbibliography: [lib/refs.bib, other.bib]\n---\nAs [@mirror desc|]."
    text = await cite_mdpo(editor, "notes.md", doc, "markdown")
    assert f"As [@{MDPO_KEY}]." in text
    assert f"@misc{{{MDPO_KEY}," in (editor.root / "lib" / "refs.bib").read_text()
    assert not (editor.root / "other.bib").exists()


async def test_quarto_project_bibliography(editor: Editor):
    (editor.root / "_quarto.yml").write_text("project:\n  type: book\nbibliography: book.bib\n")
    (editor.root / "chapters").mkdir()
    await cite_mdpo(editor, "chapters/one.qmd", "Text @mirror|", "quarto")
    assert f"@misc{{{MDPO_KEY}," in (editor.root / "book.bib").read_text()


async def test_no_bibliography_declared_creates_references_bib(editor: Editor):
    await cite_mdpo(editor, "paper.tex", "\\cite{mirror desc|}", "latex")
    assert (editor.root / "references.bib").read_text().startswith(f"@misc{{{MDPO_KEY},")


async def test_crlf_file_without_final_newline_keeps_its_bytes(editor: Editor):
    bib = editor.root / "refs.bib"
    original = b"% my library\r\n@book{knuth84,\r\n  title = {TeX},\r\n}"
    bib.write_bytes(original)
    await cite_mdpo(editor, "paper.tex", "\\cite{mirror desc|}\n\\addbibresource{refs.bib}\n",
                    "latex")
    data = bib.read_bytes()
    assert data.startswith(original + b"\r\n\r\n@misc{" + MDPO_KEY.encode() + b",\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")


async def test_a_bibliography_outside_the_workspace_is_refused(editor: Editor):
    outside = editor.root.parent / "elsewhere.bib"
    outside.unlink(missing_ok=True)
    await cite_mdpo(editor, "paper.tex", "\\cite{mirror desc|}\n\\bibliography{../elsewhere}\n",
                    "latex")
    assert not outside.exists()
    assert editor.applied == []
    messages = [m.message for m in editor.client.messages]
    assert any("outside the workspace" in m and "elsewhere.bib" in m for m in messages)


@pytest.mark.parametrize("unsaved", [True, False])
async def test_an_open_bibliography_is_edited_as_the_editor_has_it(editor: Editor,
                                                                   unsaved: bool):
    bib = editor.root / "refs.bib"
    bib.write_text(USER_ENTRY)
    bib_uri = editor.open("refs.bib", USER_ENTRY, "bibtex")
    if unsaved:  # the writer added an entry but has not saved: the edit goes after it
        editor.change(bib_uri, USER_ENTRY + "\n@misc{unsaved1,\n}\n")
    await cite_mdpo(editor, "paper.tex", "\\cite{mirror desc|}\n\\bibliography{refs}\n", "latex")
    (edit,) = editor.applied
    change = edit.document_changes[0] if edit.document_changes else None
    if change is not None:
        assert change.text_document.version == (2 if unsaved else 1)
        # At the end of the last line, before its line break: never on the empty line after
        # the final newline (Vim's clients reject that position).
        (insert,) = change.edits
        assert insert.range.start.line == (6 if unsaved else 3)
        assert insert.range.start.character == 1 and insert.new_text.startswith("\n\n@misc{")
