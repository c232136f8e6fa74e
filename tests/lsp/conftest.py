"""End-to-end fixtures: the real `citels serve` over stdio, driven by pytest-lsp, as Neovim
and as VS Code (the client capability profiles pytest-lsp ships)."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
from lsp_editor import Editor, apply_workspace_edit
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

from citels.indexer import index_corpus
from citels.store import Store

REPO = Path(__file__).resolve().parents[2]
# One index of the bundled corpus for every server these tests start, built before any starts.
DATABASE = Path(tempfile.mkdtemp(prefix="citels-lsp-tests-")) / "index.sqlite3"
_store = Store(DATABASE)
index_corpus(_store, [REPO / "corpus"])
_store.close()

CLIENTS = ["neovim", "visual-studio-code"]
SERVER = ClientServerConfig(
    server_command=[sys.executable, "-m", "citels", "serve", "--db", str(DATABASE),
                    "--corpus", str(REPO / "corpus")],
    # Workspace indexes go to a cache of the tests' own, not the user's.
    server_env={**os.environ, "XDG_CACHE_HOME": str(DATABASE.parent / "cache")},
)


async def start_editor(client: LanguageClient, root: Path,
                       capabilities: types.ClientCapabilities,
                       initialization_options: object = None,
                       client_name: str | None = None, edits_to_disk: bool = True) -> Editor:
    """Initialize a session the way an editor does, answering applyEdit by editing the files
    (or, with `edits_to_disk` False, only recording the edits, as an editor keeps them in
    unsaved buffers)."""
    ed = Editor(client, root)

    @client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        ed.applied.append(params.edit)
        if edits_to_disk:
            apply_workspace_edit(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    @client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register_capability(params: types.RegistrationParams) -> None:
        ed.registrations.extend(params.registrations)

    await client.initialize_session(types.InitializeParams(
        capabilities=capabilities,
        root_uri=root.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=root.as_uri(), name="ws")],
        initialization_options=initialization_options,
        client_info=types.ClientInfo(name=client_name) if client_name else None,
    ))
    client.editor = ed  # type: ignore[attr-defined]
    return ed


@pytest_lsp.fixture(config=SERVER, params=CLIENTS)
async def lsp(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    """A client with the given profile, on a fresh workspace folder."""
    await start_editor(lsp_client, tmp_path, client_capabilities(request.param))
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def editor(lsp: LanguageClient) -> Editor:
    return lsp.editor  # type: ignore[attr-defined]
