"""The citels language server's state, with its progress reports and logging.

What the server does lives in the feature modules beside this one; `lsp/setup.py` builds a
server with all of them registered.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from citels import __version__
from citels.bibliography.writing import WriterState
from citels.catalogue import Catalogue
from citels.config import Config
from citels.indexes import WantedIndex
from citels.library_warnings import LibraryWarnings
from citels.lsp.documents import DocumentCache, OpenDocument
from citels.lsp.flags import ClientFlags
from citels.lsp.warm_up import collect_start_garbage, warmed_converter

if TYPE_CHECKING:  # made only by `citels serve`, and when lookups are on (lsp/online.py)
    from citels.lsp.generated_code import GeneratedCode
    from citels.lsp.module_code import KeptModuleCode
    from citels.online.queue import LookupQueue

    KeptCode = GeneratedCode | KeptModuleCode

log = logging.getLogger("citels")
# How long the start-up index check waits for the first completion (after_first_completion).
FIRST_COMPLETION_WAIT_S = 0.5
# How long the client must have sent nothing for the start's garbage to be collected before
# the first completion (collect_when_quiet).
QUIET_S = 0.1
_LOG_LEVELS = {"error": types.MessageType.Error, "warning": types.MessageType.Warning,
               "info": types.MessageType.Info}


class CitelsServer(LanguageServer):
    """One server holds the state: settings, client flags, the open indexes, documents."""

    def __init__(self, corpus: list[Path] | None = None, database: Path | None = None) -> None:
        self.converter = warmed_converter()  # the protocol's: warmed further later
        super().__init__("citels", __version__, converter_factory=lambda: self.converter)
        self.cli_corpus = corpus  # command-line choices win over the client's settings
        self.cli_database = database
        self.config = Config()
        self.initialization_options: object = None  # the base that pulled settings override
        self.flags = ClientFlags()
        self.catalogue = Catalogue([])  # the workspace's .bib index first, then the corpus
        self.index_location: tuple[object, ...] | None = None  # what the catalogue was opened for
        self.indexing: list[asyncio.Task] = []  # index checks under way
        self.opened_indexes: list[WantedIndex] = []  # what catalogue.stores are, in order
        self.zotero_status = ""  # whether a Zotero library was found, for stats
        self.zotero_watch: asyncio.Task | None = None  # polls the Zotero library for changes
        self.documents = DocumentCache()
        self.pending_diagnostics: dict[str, asyncio.TimerHandle] = {}  # debounced, by URI
        self.library_warnings = LibraryWarnings()  # what the readers said of library files
        # Entry keys of saved .bib files, by path, with the (mtime, size) they were read at.
        self.saved_bib_keys: dict[Path, tuple[tuple[int, int], frozenset[str]]] = {}
        self.entry_writes = WriterState()  # the one entry writer's locks and pending keys
        self.cited_at_open: dict[str, set[str]] = {}  # by URI: keys never auto-added
        self.auto_add_timers: dict[tuple[str, str], asyncio.TimerHandle] = {}  # (URI, key)
        self.auto_add_tasks: set[asyncio.Task] = set()  # writes under way, awaited at shutdown
        self.online: LookupQueue | None = None  # lookups of unknown identifiers, when on
        self.first_completion = asyncio.Event()  # set when the first completion is asked
        self.warming: asyncio.Task | None = None  # what waits for the first completion
        # Set once the papers of a large first index started beside the server
        # (early_index.py) are listed, or its run ended; None when there is no such run.
        self.first_index_listed: asyncio.Event | None = None
        # Compiled code kept between starts (`citels serve` alone installs it): the
        # protocol's, and citels's modules' where Python keeps no bytecode.
        self.kept_code: list[KeptCode] = []
        # The garbage collector's thresholds once the start's garbage is collected, while
        # `citels serve` holds its older generations back (`warm_up.collect_start_garbage`).
        self.collector_thresholds: tuple[int, int, int] | None = None
        self.collecting: asyncio.Task | None = None  # waits for a quiet moment to collect
        self.last_message_at = 0.0  # time.monotonic() of the client's last message (stdio)

    def document(self, uri: str) -> OpenDocument | None:
        """An open document (or one on disk); None for URIs that are not files or cannot
        be read. An open document's analyses are kept for its current version."""
        try:
            return self.documents.get(self.workspace, uri, tuple(self.config.citation_commands))
        except (OSError, UnicodeDecodeError) as error:
            self.log(f"cannot read {uri}: {error}", types.MessageType.Warning)
            return None

    async def after_first_completion(self) -> None:
        """Wait until the first completion request has been answered (its handler runs to
        the end before anything waiting here), or FIRST_COMPLETION_WAIT_S have passed.

        Work the first completion does not need (the start-up index check) waits here: run
        beside it, in a thread, it took a third of the first completion's time. The first
        to get past collects the start's garbage, when `citels serve` held the collector
        back and the client was never quiet: on the event loop, before any index run's
        thread (which sets the collector's thresholds for its reading) can start."""
        if not self.first_completion.is_set():
            try:
                await asyncio.wait_for(self.first_completion.wait(), FIRST_COMPLETION_WAIT_S)
            except TimeoutError:
                self.first_completion.set()  # waited once: what comes later goes ahead at once
        self._collect_start_garbage()

    async def after_start(self) -> None:
        """Wait until the server's own start-up work may run (the index checks, the saved
        keys of the workspace's .bib files, the converter's warm-up, the kept code): once
        the first completion is answered (after_first_completion), and while a large
        workspace .bib's first index runs beside the server, once its papers are listed.

        That run is what the writer waits for, and it wants both cores (its reading and
        its helper process): the start-up work, ~0.3-0.5 s of CPU, took one from it."""
        await self.after_first_completion()
        if self.first_index_listed is not None:
            await self.first_index_listed.wait()

    async def collect_when_quiet(self) -> None:
        """Collect the start's garbage (when `citels serve` held the collector back) as soon
        as the client has sent nothing for QUIET_S: an editor's start leaves such a moment
        before the writer types, and the collection (~40 ms) is then paid by no one. A
        first completion that comes sooner has it collected once answered (in
        after_first_completion, at most FIRST_COMPLETION_WAIT_S after initialize)."""
        while self.collector_thresholds is not None:
            await asyncio.sleep(QUIET_S)
            if time.monotonic() - self.last_message_at >= QUIET_S:
                self._collect_start_garbage()

    def _collect_start_garbage(self) -> None:
        """Once: the start's garbage collected, the collector's thresholds as usual."""
        if self.collector_thresholds is not None:
            thresholds, self.collector_thresholds = self.collector_thresholds, None
            collect_start_garbage(thresholds)

    def workspace_roots(self, fallback: Path | None) -> list[Path]:
        """The workspace folders; without any, the root path, else `fallback`."""
        roots = [Path(p) for f in self.workspace.folders.values()
                 if (p := to_fs_path(f.uri)) is not None]
        if not roots and self.workspace.root_path:
            roots = [Path(self.workspace.root_path)]
        return roots or ([fallback] if fallback else [])

    async def begin_progress(self, message: str) -> str | None:
        """Show work under way where the client can; the token to end it with, or None."""
        if not self.flags.work_done_progress:
            return None
        token = str(uuid.uuid4())
        try:
            await self.work_done_progress.create_async(token)
            self.work_done_progress.begin(token, types.WorkDoneProgressBegin(
                title="citels", message=message))
        except Exception as error:  # a client that refuses progress still gets the work done
            log.info("progress not shown: %s", error)
            return None
        return token

    def report_progress(self, token: str | None, message: str, percentage: int | None
                        ) -> None:
        """Say how far the work `begin_progress` showed has come."""
        if token is not None:
            self.work_done_progress.report(token, types.WorkDoneProgressReport(
                message=message, percentage=percentage))

    def end_progress(self, token: str | None, message: str) -> None:
        """End what `begin_progress` showed (nothing when it showed nothing)."""
        if token is not None:
            self.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    def report_problem(self, message: str,
                       kind: types.MessageType = types.MessageType.Warning) -> None:
        """Something the user should know and can act on: logged and shown."""
        self.log(message, kind)
        self.window_show_message(types.ShowMessageParams(type=kind, message=f"citels: {message}"))

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        """To the client's log; a real error to stderr too (clients show stderr as errors,
        and stdout is the protocol)."""
        if kind == types.MessageType.Error:
            log.error(message)
        if kind > _LOG_LEVELS.get(self.config.log_level, types.MessageType.Info):
            return  # less serious than the user asked to see
        self.window_log_message(types.LogMessageParams(type=kind, message=message))
