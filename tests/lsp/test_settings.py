"""Settings from initializationOptions and workspace/configuration, and clients that can do less."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from lsp_editor import Editor
from lsprotocol import types
from pytest_lsp import client_capabilities

from citels.config import DEFAULT_COMPLETION_ITEMS
from conftest import SERVER, start_editor

MDPO_KEY = "mirrorDescentPolicy2020"


@asynccontextmanager
async def session(root: Path, capabilities: types.ClientCapabilities | None = None,
                  initialization_options: object = None,
                  configuration: dict | None = None) -> AsyncIterator[Editor]:
    client = await SERVER.start()
    if configuration is not None:
        client.set_configuration(configuration)
    editor = await start_editor(client, root, capabilities or client_capabilities("neovim"),
                                initialization_options)
    try:
        yield editor
    finally:
        await client.shutdown_session()
        await client.stop()


async def wait_for_log(editor: Editor, text: str) -> None:
    """Wait (at most 10 s) for the server to log a message containing `text`."""
    for _ in range(200):
        if any(text in m.message for m in editor.client.log_messages):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"the server never logged {text!r}")


async def labels(editor: Editor, text: str, line: int = 0) -> list[str]:
    uri = editor.open("paper.tex", text, "latex")
    character = len(text.split("\n")[line])
    return [item.label for item in (await editor.complete(uri, line, character)).items]


async def test_initialization_options_with_or_without_the_citels_wrapper(tmp_path: Path):
    for options in ({"citels": {"citationCommands": ["mycite"], "completion": {"limit": 3}}},
                    {"citationCommands": ["mycite"], "completion": {"limit": 3}}):
        async with session(tmp_path, initialization_options=options) as editor:
            found = await labels(editor, r"\mycite{mirror")
            assert found[0] == "Mirror Descent Policy Optimization"
            assert len(found) == 3


async def test_workspace_configuration_is_pulled(tmp_path: Path):
    async with session(tmp_path, configuration={"citels": {
            "citationCommands": ["refcite"], "defaultBibliography": "papers.bib"}}) as editor:
        await wait_for_log(editor, "settings read from the client")
        uri = editor.open("paper.tex", r"\refcite{mirror desc", "latex")
        items = (await editor.complete(uri, 0, 20)).items
        assert items[0].label == "Mirror Descent Policy Optimization"
        await editor.accept(uri, r"\refcite{mirror desc", items[0])
        assert (tmp_path / "papers.bib").exists()


async def test_pulled_settings_override_initialization_options_key_by_key(tmp_path: Path):
    async with session(tmp_path, initialization_options={"citationCommands": ["mycite"],
                                                         "completion": {"limit": 2}},
                       configuration={"citels": {"completion": {"limit": 4}}}) as editor:
        await wait_for_log(editor, "settings read from the client")
        assert len(await labels(editor, r"\mycite{mirror")) == 4


async def test_invalid_settings_are_reported_and_defaults_used(tmp_path: Path):
    options = {"completion": {"limit": 500}, "hover": {"showAbstract": "yes"}, "colour": 1}
    async with session(tmp_path, initialization_options=options) as editor:
        assert len(await labels(editor, r"\cite{learning")) == DEFAULT_COMPLETION_ITEMS
        messages = [m.message for m in editor.client.messages]
        assert "citels: citels.completion.limit must be a whole number from 1 to 50, not 500;" \
               " using the default" in messages
        assert any("citels.hover.showAbstract must be true or false" in m for m in messages)
        assert any("unknown setting citels.colour" in m for m in messages)


async def test_hover_without_the_abstract_when_asked(tmp_path: Path):
    async with session(tmp_path, initialization_options={"hover": {"showAbstract": False}}) \
            as editor:
        uri = editor.open("paper.tex", rf"\cite{{{MDPO_KEY}}}", "latex")
        value = (await editor.hover(uri, 0, 8)).contents.value
        assert "we propose an efficient RL algorithm" in value  # the summary stays
        assert "well-known first-order method" not in value  # the abstract goes


async def test_a_client_without_workspace_edits_or_markdown(tmp_path: Path):
    capabilities = types.ClientCapabilities(
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.PlainText])))
    async with session(tmp_path, capabilities=capabilities) as editor:
        (tmp_path / "refs.bib").write_bytes(b"@book{a,\n}\n")
        text = "\\cite{mirror desc\n\\bibliography{refs}\n"
        uri = editor.open("paper.tex", text, "latex")
        items = (await editor.complete(uri, 0, 17)).items
        await editor.accept(uri, text, items[0])
        # The server wrote the file itself, appending only.
        assert editor.applied == []
        content = (tmp_path / "refs.bib").read_text()
        assert content.startswith("@book{a,\n}\n\n@misc{mirrorDescentPolicy2020,\n")
        assert any("added mirrorDescentPolicy2020" in m.message
                   for m in editor.client.log_messages)
        hover = await editor.hover(uri, 0, 8)
        assert hover.contents.kind == types.MarkupKind.PlainText
        assert hover.contents.value.startswith("Mirror Descent Policy Optimization\n\n")


async def test_start_up_reports_indexing_progress(tmp_path: Path):
    async with session(tmp_path) as editor:
        await wait_for_log(editor, "corpus: index unchanged: 400 papers")
        corpus: list = []
        for _ in range(100):  # the end notification follows the log line
            corpus = [reports for reports in editor.client.progress_reports.values()
                      if reports and reports[0].message == "checking the corpus index"]
            if corpus and isinstance(corpus[0][-1], types.WorkDoneProgressEnd):
                break
            await asyncio.sleep(0.05)
        (reports,) = corpus
        assert isinstance(reports[0], types.WorkDoneProgressBegin)
        assert reports[0].title == "citels"
        assert reports[-1].message.startswith("corpus: index unchanged: 400 papers")


async def test_an_index_run_reports_papers_read_and_written(tmp_path: Path):
    # A workspace .bib not indexed yet: the editor shows what is read, then written, with
    # counts and percentages, before the run ends.
    entries = "".join(f"@misc{{k{n},\n  title = {{Paper number {n}}},\n}}\n" for n in range(30))
    (tmp_path / "refs.bib").write_text(entries)
    async with session(tmp_path) as editor:
        await wait_for_log(editor, "workspace bibliographies: indexed: 30 added")
        runs: list = []
        for _ in range(100):  # the end notification follows the log line
            runs = [reports for reports in editor.client.progress_reports.values()
                    if reports and reports[0].message
                    == "checking the workspace bibliographies index"]
            if runs and isinstance(runs[0][-1], types.WorkDoneProgressEnd):
                break
            await asyncio.sleep(0.05)
        (reports,) = runs
        told = [(r.message, r.percentage) for r in reports
                if isinstance(r, types.WorkDoneProgressReport)]
        assert ("reading: 30 papers", 100) in told
        assert ("writing: 30 of 30 papers", 100) in told
        assert told.index(("reading: 30 papers", 100)) < told.index(
            ("writing: 30 of 30 papers", 100))
        assert all(0 <= (percentage or 0) <= 100 for _, percentage in told)


async def test_the_workspace_bib_files_are_searched_under_the_users_keys(tmp_path: Path):
    library = Path(__file__).parents[1] / "fixtures" / "library.bib"
    (tmp_path / "refs.bib").write_text(library.read_text())
    async with session(tmp_path) as editor:
        await wait_for_log(editor, "workspace bibliographies: indexed")
        uri = editor.open("paper.tex", "\\cite{mirror desc", "latex")
        items = (await editor.complete(uri, 0, 17)).items
        # The user's entry for the same paper wins, once, under the user's key.
        assert items[0].text_edit.new_text == "tomar2020mdpo"
        assert [i.label for i in items].count("Mirror Descent Policy Optimization") == 1
        editor.change(uri, "\\cite{proximal policy optim")
        items = (await editor.complete(uri, 0, 27)).items
        assert items[0].text_edit.new_text == "schulman2017ppo"
        # A new entry saved in the .bib is found after the save.
        (tmp_path / "more.bib").write_text("@misc{zz2099,\n  title = {Quantum Widgets},\n}\n")
        editor.client.text_document_did_save(types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=(tmp_path / "more.bib").as_uri())))
        editor.change(uri, "\\cite{quantum widg")
        for _ in range(100):  # the save starts a re-index in the background
            items = (await editor.complete(uri, 0, 18)).items
            if items and items[0].text_edit.new_text == "zz2099":
                break
            await asyncio.sleep(0.05)
        assert items[0].text_edit.new_text == "zz2099"


async def test_bibtex_settings_shape_the_written_entry(tmp_path: Path):
    options = {"bibtex": {"unicode": "utf8", "abstract": False, "urlField": "note"}}
    async with session(tmp_path, initialization_options=options) as editor:
        for query in ("tulu 3", "mirror descent policy"):
            text = f"\\cite{{{query}\n\\bibliography{{refs}}\n"
            uri = editor.open("paper.tex", text, "latex")
            items = (await editor.complete(uri, 0, len(query) + 6)).items
            await editor.accept(uri, text, items[0])
        entries = (tmp_path / "refs.bib").read_text()
        assert entries.startswith("@misc{tulu3Pushing,\n  title = {{TÜLU} 3: Pushing Frontiers")
        assert "abstract" not in entries
        assert ("  note  = {Code: https://github.com/manantomar/Mirror-Descent-Policy-Optimization}"
                in entries)


async def test_workspace_bibliographies_can_be_turned_off(tmp_path: Path):
    (tmp_path / "refs.bib").write_text("@misc{zz2099,\n  title = {Quantum Widgets},\n}\n")
    async with session(tmp_path, initialization_options={"workspaceBibliographies": False}) \
            as editor:
        await wait_for_log(editor, "corpus: index")
        uri = editor.open("paper.tex", "\\cite{quantum widg", "latex")
        items = (await editor.complete(uri, 0, 18)).items
        assert "zz2099" not in [i.text_edit.new_text for i in items]
