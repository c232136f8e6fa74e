"""Documents no one should write but someone will: huge, binary-ish, odd line endings,
right-to-left text, broken syntax. The server answers every request and stays up."""

from __future__ import annotations

import asyncio
import time

import pytest
from lsp_editor import Editor, utf16_offset
from lsprotocol import types

MDPO = "Mirror Descent Policy Optimization"


async def complete_after(editor: Editor, name: str, text: str, language: str):
    uri = editor.open(name, text, language)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    character = len(lines[-1].encode("utf-16-le")) // 2
    return uri, await editor.complete(uri, len(lines) - 1, character)


async def test_a_20_mb_tex_file(editor: Editor):
    body = "Some prose with a \\cite{knuth84} and $x^2$ maths. % a comment\n" * 330_000
    assert len(body) > 20_000_000
    started = time.perf_counter()
    uri, result = await complete_after(editor, "huge.tex", body + "\\cite{mirror desc",
                                       "latex")
    assert result.items[0].label == MDPO
    hover = await editor.hover(uri, 5, 26)
    assert hover is not None and "knuth84" in hover.contents.value
    # Answered in seconds, not minutes, even the first time.
    assert time.perf_counter() - started < 60


async def test_a_100000_line_bib_file_and_a_megabyte_line(editor: Editor):
    entries = "".join(f"@misc{{key{n},\n  title = {{Entry {n}}},\n}}\n" for n in range(33_000))
    uri = editor.open("big.bib", entries, "bibtex")
    hover = await editor.hover(uri, 99_000 - 3, 8)
    assert hover is not None and "key33000" not in hover.contents.value
    _, result = await complete_after(editor, "long.tex", "x" * 1_000_000 + " \\cite{hanabi",
                                     "latex")
    assert result.items[0].label.startswith("The Update-Equivalence Framework")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\x00\x00\x00\\cite{mirror desc",
        "a\r\nb\rc\n\\cite{mirror desc",
        "שלום \u202e עולם \\cite{mirror desc",
        "😀👩‍🔬🏳️‍🌈 \\cite{mirror desc",
        "\\cite{a,b\n\\cite{mirror desc",
        "form\x0cfeed and line\u2028separator \\cite{mirror desc",
        "\\begin{verbatim}\n\\end{verbatim}\n\\cite{mirror desc",
    ],
)
async def test_odd_text_before_the_cursor(editor: Editor, text: str):
    _, result = await complete_after(editor, "odd.tex", text, "latex")
    if text.endswith("mirror desc"):
        assert result.items[0].label == MDPO
        edit = result.items[0].text_edit
        assert text[utf16_offset(text, edit.range.start):] == "mirror desc"
    else:
        assert not result.items


async def test_positions_past_the_end_and_unknown_documents(editor: Editor):
    uri = editor.open("short.tex", "\\cite{mirror desc", "latex")
    for line, character in [(0, 999), (50, 0), (50, 999)]:
        await editor.complete(uri, line, character)
        await editor.hover(uri, line, character)
    result = await editor.complete((editor.root / "never-opened.tex").as_uri(), 0, 0)
    assert not result.items
    hover = await editor.hover("untitled:Untitled-1", 0, 0)
    assert hover is None


async def test_edits_with_wrong_versions_and_ranges_are_survived(editor: Editor):
    uri = editor.open("edit.tex", "\\cite{mir", "latex")
    client = editor.client
    for version in (1, 1, 0, 10):  # duplicate, going back, jumping ahead
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangePartial(
                range=types.Range(start=types.Position(line=0, character=9),
                                  end=types.Position(line=0, character=9)),
                text="r")]))
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=11),
        content_changes=[types.TextDocumentContentChangePartial(
            range=types.Range(start=types.Position(line=7, character=3),
                              end=types.Position(line=2, character=0)), text="zz")]))
    result = await editor.complete(uri, 0, 13)
    assert isinstance(result, types.CompletionList)  # an answer, whatever the text now is


async def test_a_burst_of_a_thousand_completions_while_typing(editor: Editor):
    query = "mirror descent policy optimization"
    uri = editor.open("burst.tex", "\\cite{", "latex")
    requests = []
    for number in range(1000):
        typed = query[: number % len(query) + 1]
        editor.change(uri, "\\cite{" + typed)
        requests.append(editor.client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=0, character=6 + len(typed)))))
    results = await asyncio.gather(*requests)
    assert len(results) == 1000
    assert results[-1].items[0].label == MDPO


async def test_a_broken_bib_file_still_hovers(editor: Editor):
    uri = editor.open("broken.bib", "@misc{good,\n title={Good}}\n@misc{bad, title={never\n"
                      "@misc{mirrorDescentPolicy2020,\n}\n", "bibtex")
    hover = await editor.hover(uri, 3, 10)
    assert hover is not None and hover.contents.value.startswith("**Mirror Descent")
