"""Completion over stdio: cite by what you remember, in LaTeX and Markdown, Neovim and VS Code."""

from __future__ import annotations

import pytest
from lsp_editor import Editor, utf16_offset
from lsprotocol import types

MDPO = "Mirror Descent Policy Optimization"
MDPO_KEY = "mirrorDescentPolicy2020"
LATEX_DOC = ("\\documentclass{article}\n\\begin{document}\n{line}\n\\bibliography{refs}\n"
             "\\end{document}\n")


def latex(line: str) -> str:
    return LATEX_DOC.replace("{line}", line)


async def complete_at_end_of(editor: Editor, name: str, text: str, line: int,
                             language: str = "latex") -> types.CompletionList:
    uri = editor.open(name, text, language)
    line_text = text.split("\n")[line]
    character = len(line_text.encode("utf-16-le")) // 2
    return await editor.complete(uri, line, character)


@pytest.mark.parametrize(
    "line",
    [
        r"See \citep{mirror desc",
        r"See \cite{mirror desc",
        r"\parencite[see][p.~3]{mirror desc",
        r"\textcite{hanabi, mirror desc",
        r"\parencites[p.~1]{barlowTwinsSelf2021}[][]{mirror desc",
        r"\footcite{mirror descent pol",
        r"\Citeauthor*{mirror desc",
    ],
)
async def test_latex_citation_commands_complete_by_title(editor: Editor, line: str):
    result = await complete_at_end_of(editor, "paper.tex", latex(line), 2)
    assert result.is_incomplete is True
    first = result.items[0]
    assert first.label == MDPO
    assert first.detail == f"2020 · {MDPO_KEY}"
    assert first.kind == types.CompletionItemKind.Reference
    # Accepting replaces exactly what was typed, spaces included, with the key.
    edit = first.text_edit
    assert isinstance(edit, types.TextEdit) and edit.new_text == MDPO_KEY
    typed = line[line.rindex("{") + 1:].split(",")[-1].lstrip()
    assert (edit.range.start.line, edit.range.end.line) == (2, 2)
    assert line[edit.range.start.character:edit.range.end.character] == typed
    assert first.filter_text.startswith(typed)


@pytest.mark.parametrize(
    ("text", "line", "expected_edit"),
    [
        ("---\nbibliography: refs.bib\n---\nAs shown [@mirror desc", 3, MDPO_KEY),
        ("Text [see @hanabi, p. 3; @mirror desc", 0, MDPO_KEY),
        ("See @updateEquivalenceFramework2023.\n\nText [@barlowTwinsSelf2021; ", 2, None),
        ("As @mirror", 0, None),
        ("Cite @{mirror desc", 0, MDPO_KEY),
    ],
)
async def test_markdown_citations_complete(editor: Editor, text: str, line: int,
                                           expected_edit: str | None):
    result = await complete_at_end_of(editor, "notes.md", text, line, "markdown")
    assert result.items, text
    labels = [item.label for item in result.items]
    if expected_edit:
        assert labels[0] == MDPO
        assert result.items[0].text_edit.new_text == expected_edit
    elif text.endswith("; "):
        # Nothing typed after ';': the papers the document cites, keyed with an '@'.
        assert [item.text_edit.new_text for item in result.items] == [
            "@updateEquivalenceFramework2023"]
    else:
        assert MDPO in labels[:5]


async def test_keys_already_in_the_command_are_not_offered_again(editor: Editor):
    result = await complete_at_end_of(editor, "paper.tex",
                                      latex(rf"\cite{{{MDPO_KEY}, mirror desc"), 2)
    assert MDPO not in [item.label for item in result.items]
    assert result.items  # other mirror-descent papers still are


async def test_order_is_kept_by_sort_text_and_the_list_is_bounded(editor: Editor):
    result = await complete_at_end_of(editor, "paper.tex", latex(r"\cite{learning"), 2)
    assert 1 < len(result.items) <= 50
    sort_texts = [item.sort_text for item in result.items]
    assert sort_texts == sorted(sort_texts)
    assert len({item.label for item in result.items}) == len(result.items)


@pytest.mark.parametrize(
    ("name", "text", "line", "language"),
    [
        ("paper.tex", latex(r"% \cite{mirror desc"), 2, "latex"),
        ("paper.tex", LATEX_DOC.replace("{line}", "\\begin{verbatim}\n\\cite{mirror desc"), 3,
         "latex"),
        ("paper.tex", latex(r"\section{mirror desc"), 2, "latex"),
        ("notes.md", "Write to jane@mirror", 0, "markdown"),
        ("notes.md", "Code `[@mirror desc", 0, "markdown"),
        ("notes.md", "```\n[@mirror desc", 1, "markdown"),
    ],
)
async def test_no_completion_outside_citations(editor: Editor, name: str, text: str,
                                               line: int, language: str):
    result = await complete_at_end_of(editor, name, text, line, language)
    assert not result.items


async def test_emoji_and_accents_before_the_cursor_use_utf16_positions(editor: Editor):
    line = r"Ünïcödé 😀 text \cite{mirror desc"
    text = latex(line)
    result = await complete_at_end_of(editor, "paper.tex", text, 2)
    first = result.items[0]
    assert first.label == MDPO
    # The emoji counts two UTF-16 units: the edit must cover exactly "mirror desc".
    start = utf16_offset(text, first.text_edit.range.start)
    end = utf16_offset(text, first.text_edit.range.end)
    assert text[start:end] == "mirror desc"


async def test_resolve_adds_the_summary_and_abstract(editor: Editor):
    result = await complete_at_end_of(editor, "paper.tex", latex(r"\cite{mirror desc"), 2)
    resolved = await editor.client.completion_item_resolve_async(result.items[0])
    doc = resolved.documentation
    assert isinstance(doc, types.MarkupContent)
    assert doc.kind == types.MarkupKind.Markdown
    assert doc.value.startswith(f"**{MDPO}**")
    assert "we propose an efficient RL algorithm" in doc.value
    assert "Mirror descent (MD), a well-known first-order method" in doc.value
    assert result.items[0].documentation is None  # deferred: the list itself stays small


async def test_abstract_words_typos_and_untitled_papers(editor: Editor):
    result = await complete_at_end_of(editor, "paper.tex", latex(r"\cite{hanabi"), 2)
    assert result.items[0].label == "The Update-Equivalence Framework for Decision-Time Planning"
    result = await complete_at_end_of(editor, "other.tex", latex(r"\cite{KLoM unlearning"), 2)
    assert result.items[0].label.startswith("[Untitled] Evaluating machine unlearning")


@pytest.mark.parametrize("query", ["mirror desc", "varaince reduced halpern", "dpo", "hanabi",
                                   "cyber sec eval", "learning"])
async def test_completion_and_the_command_line_agree(editor: Editor, query: str):
    import json
    import subprocess
    import sys

    from citels.config import DEFAULT_COMPLETION_ITEMS
    from conftest import DATABASE, REPO

    cli = subprocess.run(
        [sys.executable, "-m", "citels", "search", "--json", "--limit",
         str(DEFAULT_COMPLETION_ITEMS), query,
         "--db", str(DATABASE), "--corpus", str(REPO / "corpus")],
        capture_output=True, text=True, check=True)
    searched = [hit["key"] for hit in json.loads(cli.stdout)]
    result = await complete_at_end_of(editor, "paper.tex", latex(rf"\cite{{{query}"), 2)
    completed = [item.text_edit.new_text for item in result.items]
    assert completed == searched
