"""Hover over stdio: the paper in full on a cited key, in .tex, .md and .bib."""

from __future__ import annotations

import pytest
from lsp_editor import Editor
from lsprotocol import types

MDPO_KEY = "mirrorDescentPolicy2020"


async def hover_text(editor: Editor, name: str, text: str, language: str, line: int,
                     character: int) -> str | None:
    uri = editor.open(name, text, language)
    result = await editor.hover(uri, line, character)
    if result is None:
        return None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


@pytest.mark.parametrize(
    ("name", "language", "text", "line", "character"),
    [
        ("paper.tex", "latex", f"See \\citep[p.~3]{{hanabi,{MDPO_KEY}}}.", 0, 30),
        ("notes.md", "markdown", f"As [@{MDPO_KEY}, p. 4] shows.", 0, 8),
        ("notes.md", "markdown", f"As @{MDPO_KEY} shows.", 0, 6),
        ("refs.bib", "bibtex", f"@misc{{{MDPO_KEY},\n  title = {{x}},\n}}\n", 0, 9),
    ],
)
async def test_hover_shows_title_facts_summary_abstract_and_links(editor, name, language,
                                                                  text, line, character):
    value = await hover_text(editor, name, text, language, line, character)
    assert value is not None
    parts = value.split("\n\n")
    assert parts[0] == "**Mirror Descent Policy Optimization**"
    assert parts[1] == f"2020-05-19 · 4 authors  \n`{MDPO_KEY}`"
    assert parts[2].startswith("*Inspired by this, we propose an efficient RL algorithm")
    assert parts[3].startswith("Mirror descent (MD), a well-known first-order method")
    assert "<https://github.com/manantomar/Mirror-Descent-Policy-Optimization>" in value


async def test_hover_renders_latex_in_abstracts_as_readable_text(editor: Editor):
    uri = editor.open("paper.tex", r"\cite{KLoM}", "latex")
    result = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.showPaper", arguments=["refinedRegretAdversarial"]))
    assert result is not None and "mathcal O(K^{2/3})" in result["abstract"]
    text = r"\cite{refinedRegretAdversarial}"
    editor.change(uri, text)
    hover = await editor.hover(uri, 0, 10)
    value = hover.contents.value
    assert "of order O(K^(2/3))" in value and "mathcal" not in value


async def test_a_key_only_in_the_bib_file_shows_its_entry(editor: Editor):
    (editor.root / "refs.bib").write_text(
        "@book{knuth84,\n  title = {The {\\TeX}book},\n  author = {Knuth, Donald E.},\n"
        "  year = 1984,\n}\n")
    value = await hover_text(editor, "paper.tex", "\\cite{knuth84}\n\\bibliography{refs}\n",
                             "latex", 0, 8)
    assert value == ("**The TeXbook**\n\nKnuth, Donald E. · 1984\n\n"
                     "`knuth84` (from refs.bib, not in the corpus)")


async def test_an_unknown_key_says_where_it_was_looked_for(editor: Editor):
    (editor.root / "refs.bib").write_text("")
    value = await hover_text(editor, "paper.tex", "\\cite{nobody99}\n\\bibliography{refs}\n",
                             "latex", 0, 8)
    assert value == "`nobody99`: not in the corpus, nor in refs.bib"


async def test_no_hover_away_from_citations(editor: Editor):
    assert await hover_text(editor, "paper.tex", "Plain words here.", "latex", 0, 3) is None


async def test_a_key_the_index_does_not_hold_shows_its_own_entry_as_the_bib_changes(
        editor: Editor):
    # A library the index does not hold (it reads the workspace's .bib files; a .biblatex
    # stands here for a .bib it has not reached yet, as while a big one is being indexed):
    # only the fallback reads it. Two entries share a title word; each shows its own (and
    # when, by its biblatex date, though it has an editor too).
    text = (
        "@string{tub = {TUGboat}}\n"
        "@article{first81,\n  title = {Chairman's report},\n  author = {Palais, Richard},\n"
        "  journal = tub,\n  year = 1981,\n}\n"
        "@article{second81,\n  title = {Chairman's report, again},\n"
        "  author = {Spivak, Michael},\n  editor = {Knuth, Donald},\n  date = {1981-06},\n}\n")
    (editor.root / "refs.biblatex").write_text(text, encoding="utf-8")
    uri = editor.open("notes.md", "---\nbibliography: refs.biblatex\n---\n\n"
                      "See [@first81; @second81].\n", "markdown")
    first = await editor.hover(uri, 4, 8)
    second = await editor.hover(uri, 4, 18)
    assert first.contents.value == ("**Chairman's report**\n\nPalais, Richard · 1981\n\n"
                                    "`first81` (from refs.biblatex, not in the corpus)")
    assert second.contents.value == (
        "**Chairman's report, again**\n\nSpivak, Michael · 1981-06\n\n"
        "`second81` (from refs.biblatex, not in the corpus)")
    # The file edited in the editor: the hover reads the new text, not what it read before.
    bib_uri = editor.open("refs.biblatex", text.replace("again", "once more"), "bibtex")
    again = await editor.hover(uri, 4, 18)
    assert again.contents.value.startswith("**Chairman's report, once more**")
    editor.change(bib_uri, text.replace("again", "a third time"))
    again = await editor.hover(uri, 4, 18)
    assert again.contents.value.startswith("**Chairman's report, a third time**")
