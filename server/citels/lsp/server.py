"""The citels language server: its state, start-up, settings, and the index it answers from."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import sys
import uuid
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from citels import __version__
from citels.cite_syntax import language_of
from citels.config import Config, parse_settings
from citels.library import Library, index_in_own_connection, workspace_bib_files
from citels.locations import default_corpus, default_database, workspace_database
from citels.lsp.documents import OpenDocument
from citels.lsp.warm_up import warm_rendering, warmed_converter
from citels.store.migrations import SchemaTooNew
from citels.store import open_store

log = logging.getLogger("citels")


class CitelsServer(LanguageServer):
    """One server holds the state: settings, client flags, the open index."""

    def __init__(self, corpus: list[Path] | None = None, database: Path | None = None) -> None:
        super().__init__("citels", __version__, converter_factory=warmed_converter)
        from citels.lsp.flags import ClientFlags

        self.cli_corpus = corpus  # command-line choices win over the client's settings
        self.cli_database = database
        self.config = Config()
        self.initialization_options: object = None  # the base that pulled settings override
        self.flags = ClientFlags()
        self.library = Library([])  # the workspace's .bib index first, then the corpus
        self._location: tuple[object, ...] | None = None
        self._indexing: list[asyncio.Task] = []
        self._documents: dict[str, OpenDocument] = {}  # the last version analysed, by URI
        self.pending_diagnostics: dict[str, asyncio.TimerHandle] = {}  # debounced, by URI

    # --- where the index is -------------------------------------------------------------

    def corpus_paths(self) -> list[Path]:
        if self.cli_corpus:
            return self.cli_corpus
        if self.config.corpus:
            return [Path(p).expanduser() for p in self.config.corpus]
        return default_corpus()

    def database_path(self) -> Path:
        if self.cli_database:
            return self.cli_database
        if self.config.database:
            return Path(self.config.database).expanduser()
        return default_database(self.corpus_paths())

    def open_index(self) -> None:
        """Answer from the existing indexes at once; bring them up to date in the background.

        Does nothing when the corpus, database and workspace files are those already open.
        """
        corpus, database = tuple(self.corpus_paths()), self.database_path()
        roots = tuple(self.workspace_roots(None)) if self.config.workspace_bibliographies else ()
        bib_files = workspace_bib_files(roots)
        location = (corpus, database, roots, tuple(bib_files))
        if self._location == location:
            return
        self.library.close()
        stores = []
        jobs: list[tuple[list[Path], Path, str]] = []
        wanted = [(list(corpus), database, "corpus")]
        if roots:
            wanted.insert(0, (bib_files, workspace_database(roots), "workspace bibliographies"))
        for paths, path, what in wanted:
            try:
                store, message = open_store(path)
            except (sqlite3.Error, SchemaTooNew, OSError) as error:
                self.report_problem(f"cannot open the {what} index {path}: {error}")
                continue
            if message:
                self.report_problem(message)
            stores.append(store)
            jobs.append((paths, path, what))
        self.library = Library(stores)
        self._location = location
        loop = asyncio.get_running_loop()
        self._indexing = [loop.create_task(self._refresh_index(*job)) for job in jobs]

    async def _refresh_index(self, paths: list[Path], database: Path, what: str) -> None:
        token = str(uuid.uuid4())
        progress = self.flags.work_done_progress
        if progress:
            try:
                await self.work_done_progress.create_async(token)
                self.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                    title="citels", message=f"checking the {what} index"))
            except Exception as error:  # a client that refuses progress still gets an index
                log.info("progress not shown: %s", error)
                progress = False
        try:
            # Its own connection in a worker thread: completions keep reading the old index
            # until this transaction commits.
            report = await asyncio.to_thread(index_in_own_connection, paths, database)
            await asyncio.to_thread(warm_rendering)  # does its work once
            for message in report.skipped + report.warnings:
                self.log(message, types.MessageType.Warning)
            summary = f"{what}: {report.summary()}"
            self.log(summary)
        except Exception as error:
            summary = f"indexing the {what} failed: {error}"
            self.log(summary, types.MessageType.Error)
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Error, message=f"citels: {summary}"))
        if progress:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=summary))

    async def indexes_ready(self) -> None:
        """Wait for the index checks under way (commands that report on the whole index)."""
        pending = [task for task in self._indexing if not task.done()]
        if pending:
            await asyncio.gather(*pending, return_exceptions=True)

    def stats(self) -> dict[str, int]:
        papers = titled = 0
        for store in self.library.stores:
            count, with_title = store.paper_counts()
            papers, titled = papers + count, titled + with_title
        return {"papers": papers, "titled": titled, "abstract_only": papers - titled}

    def refresh_workspace_bibliographies(self) -> None:
        """Re-read the workspace's .bib files (one was saved, created or deleted)."""
        self._location = None
        self.open_index()

    # --- settings -----------------------------------------------------------------------

    def apply_settings(self, raw: object) -> None:
        config, errors = parse_settings(raw)
        self.config = config
        for error in errors:
            self.log(error, types.MessageType.Warning)
            self.window_show_message(types.ShowMessageParams(
                type=types.MessageType.Warning, message=f"citels: {error}"))

    async def pull_settings(self) -> None:
        """Ask the client for the `citels` section, where it can answer."""
        if not self.flags.configuration:
            return
        try:
            result = await self.workspace_configuration_async(types.ConfigurationParams(
                items=[types.ConfigurationItem(section="citels")]))
        except Exception as error:
            self.log(f"could not read settings from the client: {error}",
                     types.MessageType.Warning)
            return
        if result and result[0] is not None:
            self.apply_settings(_merged(self.initialization_options, result[0]))
            self.log("settings read from the client")

    # --- documents and logs -------------------------------------------------------------

    def document(self, uri: str) -> OpenDocument | None:
        """An open document (or one on disk); None for URIs that are not files.

        An open document's analyses are kept for its current version.
        """
        path = to_fs_path(uri)
        if path is None:
            return None
        try:
            doc = self.workspace.get_text_document(uri)
            text = doc.source
        except (OSError, UnicodeDecodeError) as error:
            self.log(f"cannot read {uri}: {error}", types.MessageType.Warning)
            return None
        commands = tuple(self.config.citation_commands)
        cached = self._documents.get(uri)
        if (cached is not None and doc.version is not None and cached.version == doc.version
                and cached.extra_commands == commands and cached.text is text):
            return cached
        opened = OpenDocument(uri, Path(path), language_of(doc.language_id, path), text,
                              doc.version, commands)
        self._documents[uri] = opened
        return opened

    def forget_document(self, uri: str) -> None:
        """A closed document's analyses are not kept."""
        self._documents.pop(uri, None)

    def workspace_roots(self, fallback: Path | None) -> list[Path]:
        """The workspace folders; without any, the root path, else `fallback`."""
        roots = [Path(p) for f in self.workspace.folders.values()
                 if (p := to_fs_path(f.uri)) is not None]
        if not roots and self.workspace.root_path:
            roots = [Path(self.workspace.root_path)]
        return roots or ([fallback] if fallback else [])

    def report_problem(self, message: str) -> None:
        """Something the user should know and can act on: logged and shown."""
        self.log(message, types.MessageType.Warning)
        self.window_show_message(types.ShowMessageParams(type=types.MessageType.Warning,
                                                         message=f"citels: {message}"))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """To stderr and to the client's log (stdout is the protocol)."""
        log.log(logging.WARNING if kind <= types.MessageType.Warning else logging.INFO, message)
        self.window_log_message(types.LogMessageParams(type=kind, message=message))


def _merged(base: object, override: object) -> object:
    """Settings from initializationOptions, overridden key by key by the pulled ones."""
    if isinstance(base, dict) and isinstance(base.get("citels"), dict):
        base = base["citels"]
    if isinstance(override, dict) and isinstance(override.get("citels"), dict):
        override = override["citels"]
    if not isinstance(base, dict) or not isinstance(override, dict):
        return override if override is not None else base
    merged = dict(base)
    for key, value in override.items():
        merged[key] = _merged(base.get(key), value) if isinstance(value, dict) else value
    return merged


def create_server(corpus: list[Path] | None = None,
                  database: Path | None = None) -> CitelsServer:
    """A server with every feature registered (tests build one in-process from this)."""
    from citels.lsp import (
        bibliography,
        completion,
        diagnostics,
        hover,
        lifecycle,
        navigation,
        tidy,
    )

    server = CitelsServer(corpus, database)
    lifecycle.register(server)
    completion.register(server)
    hover.register(server)
    bibliography.register(server)
    diagnostics.register(server)
    navigation.register(server)
    tidy.register(server)
    return server


def run(corpus: list[Path] | None = None, database: Path | None = None,
        tcp: str | None = None) -> int:
    logging.basicConfig(stream=sys.stderr, level=logging.INFO,
                        format="citels %(levelname)s: %(message)s")
    logging.getLogger("pygls").setLevel(logging.WARNING)
    server = create_server(corpus, database)
    if tcp:
        host, _, port = tcp.rpartition(":")
        server.start_tcp(host or "127.0.0.1", int(port))
    else:
        server.start_io()
    return 0
