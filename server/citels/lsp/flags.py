"""What the client can do, collapsed once at initialize rather than asked in every handler."""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types


@dataclass(frozen=True)
class ClientFlags:
    """The client's capabilities that change what the server sends."""

    markdown_hover: bool = False
    markdown_completion_docs: bool = False
    apply_edit: bool = False
    document_changes: bool = False
    create_files: bool = False
    work_done_progress: bool = False
    configuration: bool = False
    watch_files: bool = False  # the client lets us register file watchers
    client_name: str = ""
    insert_replace: bool = False  # completion items may carry an InsertReplaceEdit

    @classmethod
    def from_initialize(cls, params: types.InitializeParams) -> ClientFlags:
        """The flags of the client that sent these initialize params."""
        caps = params.capabilities
        text = caps.text_document
        workspace = caps.workspace
        edit = workspace.workspace_edit if workspace else None
        hover_formats = (text.hover.content_format if text and text.hover else None) or []
        item = (text.completion.completion_item
                if text and text.completion and text.completion.completion_item else None)
        doc_formats = (item.documentation_format if item else None) or []
        operations = (edit.resource_operations if edit else None) or []
        return cls(
            markdown_hover=types.MarkupKind.Markdown in hover_formats,
            markdown_completion_docs=types.MarkupKind.Markdown in doc_formats,
            apply_edit=bool(workspace and workspace.apply_edit),
            document_changes=bool(edit and edit.document_changes),
            create_files=types.ResourceOperationKind.Create in operations,
            work_done_progress=bool(caps.window and caps.window.work_done_progress),
            configuration=bool(workspace and workspace.configuration),
            watch_files=bool(workspace and workspace.did_change_watched_files
                             and workspace.did_change_watched_files.dynamic_registration),
            client_name=(params.client_info.name if params.client_info
                         else "Eglot" if _old_eglot(caps) else ""),
            insert_replace=bool(item and item.insert_replace_support),
        )


def _old_eglot(caps: types.ClientCapabilities) -> bool:
    """Eglot before 1.10 (Debian's elpa-eglot 1.9, Emacs 28) sends no clientInfo; its
    completion capabilities are its signature: tags and deprecation, no documentation
    formats, no resolve, no label details."""
    text = caps.text_document
    completion = text.completion if text else None
    item = completion.completion_item if completion else None
    return bool(item and completion and completion.context_support and item.tag_support
                and item.deprecated_support and not item.documentation_format
                and not item.resolve_support and not item.label_details_support)
