"""Online lookups end to end: the real server over stdio, its lookups pointed at a loopback
server replaying the services' documented responses (tests/online_server.py). A DOI or an
arXiv id no index holds is offered as a paper, its entry written on accept (and read by
the real bibtex), and hovered; with the setting off nothing reaches the network."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from lsp_editor import Editor
from lsprotocol import types
from pytest_lsp import ClientServerConfig, client_capabilities

from conftest import SERVER, start_editor

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for online_server
from online_server import ARXIV_ENTRY, CROSSREF_WORK, MetadataServer  # noqa: E402

DRIFT = "Drift of Paper Boats on Slow Rivers: A Field Study"
DRIFT_KEY = "okonkwolindqvistDriftPaperBoats2024"
OWLS = "Quiet Gradients: Training Owls to Sleep Through Noisy Batches"
OWLS_KEY = "vanderbergQuietGradientsTraining2024"


@pytest.fixture
def metadata() -> Iterator[MetadataServer]:
    server = MetadataServer()
    server.serve_recorded()
    yield server
    server.close()


@asynccontextmanager
async def session(root: Path, metadata: MetadataServer, settings: dict | None
                  ) -> AsyncIterator[Editor]:
    """A server with a cache of its own (no looked-up paper from another test), its lookups
    pointed at `metadata`."""
    config = ClientServerConfig(
        server_command=SERVER.server_command,
        server_env={**SERVER.server_env, "XDG_CACHE_HOME": str(root.parent / "cache"),
                    **metadata.environment()})
    client = await config.start()
    editor = await start_editor(client, root, client_capabilities("visual-studio-code"),
                                settings)
    try:
        yield editor
    finally:
        await client.shutdown_session()
        await client.stop()


async def offered(editor: Editor, uri: str, line: int, column: int, title: str,
                  tries: int = 10) -> types.CompletionItem | None:
    """The item titled `title`, asking again (as a client does while the writer types) for
    at most `tries` completions."""
    for _ in range(tries):
        items = (await editor.complete(uri, line, column)).items
        found = next((item for item in items if item.label == title), None)
        if found is not None:
            return found
        await asyncio.sleep(0.2)
    return None


def bibtex_warnings(folder: Path, bib: str) -> str:
    """What the real bibtex says reading `bib` for every entry (plain style)."""
    (folder / "doc.aux").write_text(f"\\citation{{*}}\n\\bibdata{{{bib}}}\n"
                                    "\\bibstyle{plain}\n")
    result = subprocess.run(["bibtex", "doc"], cwd=folder, capture_output=True, text=True,
                            timeout=60)
    return result.stdout


@pytest.fixture(scope="module", autouse=True)
def bibtex_is_installed() -> None:
    assert shutil.which("bibtex"), "bibtex is missing: run tests/run.sh, which installs it"


async def test_a_doi_no_index_holds_is_offered_written_and_hovered(
        tmp_path: Path, metadata: MetadataServer):
    root = tmp_path / "ws"
    root.mkdir()
    text = "\\cite{10.1234/abcd}\n\\bibliography{refs}\n"
    async with session(root, metadata, {"online": True}) as editor:
        uri = editor.open("paper.tex", text, "latex")
        item = await offered(editor, uri, 0, len("\\cite{10.1234/abcd"), DRIFT)
        assert item is not None, "the looked-up paper was never offered"
        assert item.sort_text == min(i.sort_text or "" for i in
                                     (await editor.complete(uri, 0, 18)).items)
        new_text = await editor.accept(uri, text, item)
        assert new_text.startswith(f"\\cite{{{DRIFT_KEY}}}")
        entry = (root / "refs.bib").read_text()
        assert entry.startswith(f"@article{{{DRIFT_KEY},")
        for line in ("journal   = {Journal of Imaginary Hydrology}", "volume    = {42}",
                     "pages     = {101--117}", "doi       = {10.1234/abcd}"):
            assert line in entry
        assert "Warning" not in bibtex_warnings(root, "refs")
        hover = await editor.hover(uri, 0, 10)
        assert hover is not None and DRIFT in hover.contents.value
        # Found once: typed again, it comes from the index, not the network.
        asked = len(metadata.requests)
        editor.change(uri, text)
        assert await offered(editor, uri, 0, 18, DRIFT, tries=1) is not None
        assert len(metadata.requests) == asked == 1
        assert metadata.requests == [CROSSREF_WORK]
        assert editor.client.messages == []  # nothing shown to the writer


async def test_an_arxiv_id_is_looked_up_in_the_arxiv_api(tmp_path: Path,
                                                         metadata: MetadataServer):
    root = tmp_path / "ws"
    root.mkdir()
    text = "See [@2401.01234]."
    async with session(root, metadata, {"citels": {"online": True}}) as editor:
        uri = editor.open("notes.md", text, "markdown")
        item = await offered(editor, uri, 0, len("See [@2401.01234"), OWLS)
        assert item is not None
        new_text = await editor.accept(uri, text, item)
        assert new_text == f"See [@{OWLS_KEY}]."
        entry = (root / "references.bib").read_text()
        assert entry.startswith(f"@misc{{{OWLS_KEY},")
        assert "{van der Berg, Tomasz and Raman, Priya}" in entry
        hover = await editor.hover(uri, 0, 8)
        assert hover is not None and OWLS in hover.contents.value
        assert metadata.requests == [ARXIV_ENTRY]


async def test_off_by_default_nothing_is_sent(tmp_path: Path, metadata: MetadataServer):
    root = tmp_path / "ws"
    root.mkdir()
    text = "\\cite{10.1234/abcd}\n"
    async with session(root, metadata, None) as editor:
        uri = editor.open("paper.tex", text, "latex")
        assert await offered(editor, uri, 0, 18, DRIFT, tries=3) is None
        await asyncio.sleep(1.0)  # longer than a lookup's settling time
        assert await offered(editor, uri, 0, 18, DRIFT, tries=1) is None
    assert metadata.requests == []


async def test_a_doi_no_service_knows_is_a_quiet_nothing(tmp_path: Path,
                                                         metadata: MetadataServer):
    root = tmp_path / "ws"
    root.mkdir()
    text = "\\cite{10.1234/nobody}\n"
    async with session(root, metadata, {"online": True}) as editor:
        uri = editor.open("paper.tex", text, "latex")
        for _ in range(3):
            result = await editor.complete(uri, 0, len("\\cite{10.1234/nobody"))
            assert result.is_incomplete
        await asyncio.sleep(0.5)
        assert editor.client.messages == []
        assert not [m for m in editor.client.log_messages
                    if m.type <= types.MessageType.Warning]
    # Asked of Crossref, then DataCite, once: not again for each completion.
    assert metadata.requests == ["/crossref/works/10.1234/nobody",
                                 "/datacite/dois/10.1234/nobody"]
