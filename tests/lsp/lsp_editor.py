"""A small editor for end-to-end tests: documents, completion, hover, and applying edits the
way a real client does (UTF-16 positions included)."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types
from pytest_lsp import LanguageClient


class Editor:
    """What a test needs from the client side: a workspace, documents, applied edits."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.versions: dict[str, int] = {}
        self.applied: list[types.WorkspaceEdit] = []
        self.registrations: list[types.Registration] = []

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
        if isinstance(edit, types.InsertReplaceEdit):  # VS Code inserts unless told to replace
            edit = types.TextEdit(range=edit.insert, new_text=edit.new_text)
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
