"""Start-up and settings: initialize, initialized, didChangeConfiguration."""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from citels.lsp import convert
from citels.lsp.flags import ClientFlags
from citels.lsp.server import CitelsServer


def register(server: CitelsServer) -> None:
    @server.feature(types.INITIALIZE)
    def initialize(ls: CitelsServer, params: types.InitializeParams) -> None:
        ls.flags = ClientFlags.from_initialize(params)
        if params.initialization_options is not None:
            ls.initialization_options = params.initialization_options
            ls.apply_settings(params.initialization_options)
        # Open now, so the first completion is answered from the index that exists.
        ls.open_index()

    @server.feature(types.INITIALIZED)
    async def initialized(ls: CitelsServer, params: types.InitializedParams) -> None:
        await ls.pull_settings()
        ls.open_index()  # the client's settings may name another corpus
        if ls.flags.watch_files:
            await _watch_bibliographies(ls)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: CitelsServer, params: types.DidSaveTextDocumentParams) -> None:
        if params.text_document.uri.lower().endswith(".bib"):
            ls.refresh_workspace_bibliographies()
            _rediagnose_open_documents(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched_files(ls: CitelsServer,
                                 params: types.DidChangeWatchedFilesParams) -> None:
        if any(change.uri.lower().endswith(".bib") for change in params.changes):
            ls.refresh_workspace_bibliographies()
            _rediagnose_open_documents(ls)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def did_change_configuration(ls: CitelsServer,
                                       params: types.DidChangeConfigurationParams) -> None:
        if ls.flags.configuration:
            await ls.pull_settings()  # the pull model: the notification only says "changed"
        elif params.settings:
            ls.apply_settings(params.settings)
        ls.open_index()  # reopens only if the corpus or database changed

    @server.command(convert.STATS)
    async def stats(ls: CitelsServer, *args: Any) -> dict:
        """How many papers the server answers from, once the index checks are done."""
        await ls.indexes_ready()
        return ls.stats()

    @server.command(convert.REINDEX)
    async def reindex(ls: CitelsServer, *args: Any) -> dict:
        """Check every corpus file and workspace bibliography again; report the result."""
        ls.refresh_workspace_bibliographies()
        await ls.indexes_ready()
        return ls.stats()


def _rediagnose_open_documents(ls: CitelsServer) -> None:
    """A bibliography changed: every open document's diagnostics may have too."""
    from citels.lsp.diagnostics import schedule  # diagnostics builds on this module's server

    for uri in list(ls.workspace.text_documents):
        schedule(ls, uri)


async def _watch_bibliographies(ls: CitelsServer) -> None:
    """Ask the client to tell us when .bib (and project metadata) files change on disk."""
    watchers = [types.FileSystemWatcher(glob_pattern=pattern)
                for pattern in ("**/*.bib", "**/_quarto.yml", "**/_metadata.yml")]
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[
            types.Registration(
                id="citels-watch-bibliographies",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=watchers))]))
    except Exception as error:  # the client said no: saves of open .bib files still count
        ls.log(f"file watching not available: {error}", types.MessageType.Warning)
