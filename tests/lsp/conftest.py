"""End-to-end fixtures: the real `citels serve` over stdio, driven by pytest-lsp, as Neovim
and as VS Code (the client capability profiles pytest-lsp ships)."""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import pytest
import pytest_lsp
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
)


class Editor:
    """What a test needs from the client side: a workspace, documents, applied edits."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.versions: dict[str, int] = {}
        self.applied: list[types.WorkspaceEdit] = []

    def open(self, name: str, text: str, language_id: str) -> str:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        uri = path.as_uri()
        self.versions[uri] = 1
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id=language_id, version=1,
                                                 text=text)))
        return uri

    def change(self, uri: str, text: str) -> None:
        self.versions[uri] += 1
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri,
                                                                version=self.versions[uri]),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))

    async def complete(self, uri: str, line: int, character: int) -> types.CompletionList:
        result = await self.client.text_document_completion_async(types.CompletionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character)))
        assert isinstance(result, types.CompletionList)
        return result

    async def hover(self, uri: str, line: int, character: int) -> types.Hover | None:
        return await self.client.text_document_hover_async(types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character)))

    async def accept(self, uri: str, text: str, item: types.CompletionItem) -> str:
        """Do what an editor does on accept: apply the text edit, then run the item's command."""
        edit = item.text_edit
        assert isinstance(edit, types.TextEdit)
        new_text = apply_text_edits(text, [edit])
        self.change(uri, new_text)
        if item.command:
            await self.client.workspace_execute_command_async(types.ExecuteCommandParams(
                command=item.command.command, arguments=item.command.arguments))
        return new_text


def utf16_offset(text: str, position: types.Position) -> int:
    """The index in `text` of an LSP position (UTF-16 code units)."""
    lines = re.split(r"(?<=\r\n)|(?<=\n)|(?<=\r)(?!\n)", text)
    offset = sum(len(line) for line in lines[:position.line])
    line = lines[position.line] if position.line < len(lines) else ""
    units = 0
    for index, char in enumerate(line):
        if units >= position.character:
            return offset + index
        units += 2 if ord(char) > 0xFFFF else 1
    return offset + len(line.rstrip("\r\n")) if units >= position.character else offset


def apply_text_edits(text: str, edits: list[types.TextEdit]) -> str:
    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character),
                       reverse=True):
        start = utf16_offset(text, edit.range.start)
        end = utf16_offset(text, edit.range.end)
        text = text[:start] + edit.new_text + text[end:]
    return text


def apply_workspace_edit(edit: types.WorkspaceEdit) -> None:
    """Apply an edit to the files on disk, as an editor would after saving."""
    from urllib.parse import unquote, urlparse

    def path_of(uri: str) -> Path:
        return Path(unquote(urlparse(uri).path))

    for change in edit.document_changes or []:
        if isinstance(change, types.CreateFile):
            path = path_of(change.uri)
            if not path.exists():
                path.write_text("")
        elif isinstance(change, types.TextDocumentEdit):
            path = path_of(change.text_document.uri)
            old = path.read_bytes().decode("utf-8") if path.exists() else ""
            path.write_bytes(apply_text_edits(old, list(change.edits)).encode("utf-8"))
    for uri, edits in (edit.changes or {}).items():
        path = path_of(uri)
        old = path.read_bytes().decode("utf-8") if path.exists() else ""
        path.write_bytes(apply_text_edits(old, list(edits)).encode("utf-8"))


@pytest_lsp.fixture(config=SERVER, params=CLIENTS)
async def lsp(lsp_client: LanguageClient, request: pytest.FixtureRequest, tmp_path: Path):
    """A client with the given profile, on a fresh workspace folder."""
    ed = Editor(lsp_client, tmp_path)

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        ed.applied.append(params.edit)
        apply_workspace_edit(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=client_capabilities(request.param),
        root_uri=tmp_path.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="ws")],
    ))
    lsp_client.editor = ed  # type: ignore[attr-defined]
    yield
    await lsp_client.shutdown_session()


@pytest.fixture
def editor(lsp: LanguageClient) -> Editor:
    return lsp.editor  # type: ignore[attr-defined]
