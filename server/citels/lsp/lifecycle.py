"""Start-up, settings and the indexes' lifecycle: initialize, initialized,
didChangeConfiguration, .bib files saved or changed on disk, and the stats and reindex
commands."""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types

from citels.config import merged_settings, parse_settings
from citels.lsp import auto_add, convert, online
from citels.lsp.diagnostics import schedule
from citels.lsp.flags import ClientFlags
from citels.lsp.indexing import (
    indexes_ready,
    open_index,
    refresh_workspace_bibliographies,
    reindex_everything,
)
from citels.lsp.indexing import stats as index_stats
from citels.lsp.server import CitelsServer
from citels.lsp.warm_up import LATER_SAMPLES, warm_up

BIBLIOGRAPHY_WATCHERS = ("**/*.bib", "**/_quarto.yml", "**/_metadata.yml", "**/*.yml",
                         "**/*.yaml")
# Files whose change may change the papers of the workspace index: .bib files, and the
# Hayagriva files Typst documents declare (a .yml that is not one costs a check of dates).
BIBLIOGRAPHY_SUFFIXES = (".bib", ".yml", ".yaml")


def initialize(ls: CitelsServer, params: types.InitializeParams) -> None:
    """Collapse the client's capabilities, read its initial settings, open the indexes."""
    ls.flags = ClientFlags.from_initialize(params)
    if params.initialization_options is not None:
        ls.initialization_options = params.initialization_options
        apply_settings(ls, params.initialization_options)
    # Open now, so the first completion is answered from the index that exists.
    open_index(ls)
    loop = asyncio.get_running_loop()
    ls.warming = loop.create_task(_warm_up_later(ls))
    if ls.collector_thresholds is not None:
        ls.collecting = loop.create_task(ls.collect_when_quiet())


async def _warm_up_later(ls: CitelsServer) -> None:
    """Ready the converter for resolve, hover and typing once the first completion is
    answered (and a large first index's papers listed: `CitelsServer.after_start`), on the
    event loop (the converter is the protocol's); then keep the code generated so far for
    the next start."""
    await ls.after_start()
    warm_up(ls.converter, LATER_SAMPLES)
    for kept in ls.kept_code:
        kept.uninstall()
        kept.save()
    ls.kept_code = []


async def initialized(ls: CitelsServer, params: types.InitializedParams) -> None:
    """Pull the client's settings, reopen the indexes they name, watch .bib files."""
    await pull_settings(ls)
    open_index(ls)  # the client's settings may name another corpus
    if ls.flags.watch_files:
        await _watch_bibliographies(ls)


def did_save(ls: CitelsServer, params: types.DidSaveTextDocumentParams) -> None:
    """A saved .bib file is indexed again, and open documents diagnosed again; a saved
    Typst file may declare another bibliography; a document's new citations may be
    auto-added."""
    uri = params.text_document.uri.lower()
    if uri.endswith(BIBLIOGRAPHY_SUFFIXES):
        _bibliographies_changed(ls)
        return
    if uri.endswith(".typ"):
        open_index(ls)  # reopens only if the declared Hayagriva files changed
    auto_add.saved(ls, params.text_document.uri)


def did_change_watched_files(ls: CitelsServer,
                             params: types.DidChangeWatchedFilesParams) -> None:
    """A .bib file changed on disk: indexed again, open documents diagnosed again."""
    if any(change.uri.lower().endswith(BIBLIOGRAPHY_SUFFIXES) for change in params.changes):
        _bibliographies_changed(ls)


async def did_change_configuration(ls: CitelsServer,
                                   params: types.DidChangeConfigurationParams) -> None:
    """Settings changed: read them, and reopen the indexes if the corpus or database did."""
    if ls.flags.configuration:
        await pull_settings(ls)  # the pull model: the notification only says "changed"
    elif params.settings:
        apply_settings(ls, params.settings)
    open_index(ls)  # reopens only if the corpus or database changed


async def stats(ls: CitelsServer, *args: Any) -> dict:
    """How many papers the server answers from, once the index checks are done."""
    await indexes_ready(ls)
    return index_stats(ls)


async def reindex(ls: CitelsServer, *args: Any) -> dict:
    """Check every corpus file and workspace bibliography again; report the result."""
    reindex_everything(ls)
    await indexes_ready(ls)
    return index_stats(ls)


def apply_settings(ls: CitelsServer, raw: object) -> None:
    """Use these settings; every value that is not valid is reported, its default used."""
    config, errors = parse_settings(raw)
    ls.config = config
    online.configure(ls)
    for error in errors:
        ls.report_problem(error)


async def pull_settings(ls: CitelsServer) -> None:
    """Ask the client for the `citels` section, where it can answer."""
    if not ls.flags.configuration:
        return
    try:
        result = await ls.workspace_configuration_async(types.ConfigurationParams(
            items=[types.ConfigurationItem(section="citels")]))
    except Exception as error:
        ls.log(f"could not read settings from the client: {error}", types.MessageType.Warning)
        return
    if result and result[0] is not None:
        apply_settings(ls, merged_settings(ls.initialization_options, result[0]))
        ls.log("settings read from the client")


def _bibliographies_changed(ls: CitelsServer) -> None:
    """A bibliography changed: the index of them, and every open document's diagnostics."""
    refresh_workspace_bibliographies(ls)
    for uri in list(ls.workspace.text_documents):
        schedule(ls, uri)


async def _watch_bibliographies(ls: CitelsServer) -> None:
    """Ask the client to tell us when .bib (and project metadata) files change on disk."""
    watchers = [types.FileSystemWatcher(glob_pattern=pattern)
                for pattern in BIBLIOGRAPHY_WATCHERS]
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[
            types.Registration(
                id="citels-watch-bibliographies",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=watchers))]))
    except Exception as error:  # the client said no: saves of open .bib files still count
        ls.log(f"file watching not available: {error}", types.MessageType.Warning)


FEATURES = [
    (types.INITIALIZE, None, initialize),
    (types.INITIALIZED, None, initialized),
    (types.TEXT_DOCUMENT_DID_SAVE, None, did_save),
    (types.WORKSPACE_DID_CHANGE_WATCHED_FILES, None, did_change_watched_files),
    (types.WORKSPACE_DID_CHANGE_CONFIGURATION, None, did_change_configuration),
]
COMMANDS = [(convert.STATS, stats), (convert.REINDEX, reindex)]
