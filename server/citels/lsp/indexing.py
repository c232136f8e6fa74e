"""The server's indexes: opened at once from what exists, brought up to date in the
background, and reopened when the settings or the workspace's .bib files change."""

from __future__ import annotations

import asyncio
import sys
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from lsprotocol import types

from citels.catalogue import WORKSPACE_INDEX, open_catalogue, wanted_indexes
from citels.early_index import CHILD_PROCESS_BYTES, finished, under_way
from citels.indexes import (
    ZOTERO_INDEX,
    WantedIndex,
    corpus_paths,
    database_path,
    index_in_own_connection,
    paper_stats,
    zotero_database,
)
from citels.lsp import diagnostics, heap
from citels.lsp.online import kept_index
from citels.lsp.project import read_saved_bib_keys_soon
from citels.lsp.server import CitelsServer
from citels.lsp.warm_up import warm_rendering


def _wanted(ls: CitelsServer) -> list[WantedIndex]:
    """The indexes the settings and the workspace's files ask for now."""
    corpus = corpus_paths(ls.cli_corpus, ls.config.corpus)
    database = database_path(corpus, ls.cli_database, ls.config.database)
    roots: list[Path] = (ls.workspace_roots(None) if ls.config.workspace_bibliographies
                         else [])
    zotero, ls.zotero_status = zotero_database(ls.config.zotero_data_directory)
    return wanted_indexes(corpus, database, roots, zotero, kept_index(ls))


def open_index(ls: CitelsServer) -> None:
    """Answer from the existing indexes at once; bring them up to date in the background.

    Does nothing when the corpus, database and workspace files are those already open.
    """
    wanted = _wanted(ls)
    location = tuple(wanted)
    if ls.index_location == location:
        return
    ls.catalogue.close()
    ls.catalogue, opened = open_catalogue(wanted, ls.report_problem)
    ls.opened_indexes = opened
    ls.index_location = location
    loop = asyncio.get_running_loop()
    # A check still under way, or still waiting for the first completion, read the file list
    # of the indexes it was made for: the new checks come after it, so theirs is the last word.
    earlier = [task for task in ls.indexing if not task.done()]
    ls.indexing = [loop.create_task(_after(earlier, refresh_index(ls, index)))
                   for index in opened]
    _hold_start_until_listed(ls, opened)
    _read_keys_later(ls, wanted, None)
    if ls.zotero_watch is not None:
        ls.zotero_watch.cancel()
    library = next((index for index in opened if index.what == ZOTERO_INDEX), None)
    ls.zotero_watch = loop.create_task(watch_zotero(ls, library)) if library else None


async def refresh_index(ls: CitelsServer, index: WantedIndex) -> None:
    """Index what changed in one index's files, showing progress where the client can."""
    # The first completion is answered from the index as it is; this check comes after it,
    # unless the index has nothing yet to answer with and its first read goes to a child
    # process (a large .bib): started at once, not up to half a second later.
    early = finished(index.database) if index.what == WORKSPACE_INDEX else None
    first_read_in_child = early is None and _first_large_read(ls, index)
    if not first_read_in_child:
        await ls.after_start()
    token = await ls.begin_progress(f"checking the {index.what} index")
    try:
        if early is not None:
            # Its first index, started before the protocol was loaded (early_index.py), is
            # waited for; then it is checked as usual (a file that run did not read, or
            # one changed since).
            await _early_run_ended(ls, index, early)
        if first_read_in_child or index.what == ZOTERO_INDEX or \
                await asyncio.to_thread(_reads_much, index):
            messages, summary = await _index_in_child_process(index)
        else:
            # Its own connection in a worker thread: completions keep reading the old
            # index until this transaction commits. Its progress is told from that thread.
            loop = asyncio.get_running_loop()

            def tell(message: str, percentage: int | None) -> None:
                loop.call_soon_threadsafe(ls.report_progress, token, message, percentage)

            report = await asyncio.to_thread(_index_and_give_back, index,
                                             tell if token is not None else None)
            messages, summary = report.skipped + report.warnings, report.summary()
        await diagnostics.index_checked(ls, index)  # a library's warnings on their files too
        await asyncio.to_thread(warm_rendering)  # does its work once
        for message in messages:
            ls.log(message, types.MessageType.Warning)
        summary = f"{index.what}: {summary}"
        ls.log(summary)
    except Exception as error:
        summary = f"indexing the {index.what} failed: {error}"
        ls.report_problem(summary, types.MessageType.Error)
    ls.end_progress(token, summary)


# How often the server looks whether a large first index's papers are listed yet.
LISTED_POLL_S = 0.1
_LISTING_WATCHES: set[asyncio.Task] = set()  # held until done (the loop's are weak)


def _hold_start_until_listed(ls: CitelsServer, opened: list[WantedIndex]) -> None:
    """When a large workspace .bib's first index was started beside the server
    (early_index.py), hold the server's start-up work back until that run's papers are
    listed (`CitelsServer.after_start`): the store is looked at every LISTED_POLL_S."""
    if ls.first_index_listed is not None:
        return
    for index, store in zip(opened, ls.catalogue.stores, strict=False):
        run = under_way(index.database) if index.what == WORKSPACE_INDEX else None
        if run is not None:
            listed = ls.first_index_listed = asyncio.Event()
            task = asyncio.get_running_loop().create_task(_until_listed(store, run, listed))
            _LISTING_WATCHES.add(task)
            task.add_done_callback(_LISTING_WATCHES.discard)
            return


async def _until_listed(store: Any, run: Future[tuple[list[str], str]],
                        listed: asyncio.Event) -> None:
    try:
        while not run.done() and store.is_empty():
            await asyncio.sleep(LISTED_POLL_S)
    except Exception:  # a store closed meanwhile (other settings): nothing waits any longer
        pass
    finally:
        listed.set()


async def _early_run_ended(ls: CitelsServer, index: WantedIndex,
                          early: Future[tuple[list[str], str]]) -> None:
    """Wait for the first index started early, and log what it said."""
    try:
        messages, summary = await asyncio.wrap_future(early)
    except Exception as error:  # the usual check that follows tries again, and says why
        ls.log(f"the first index of the {index.what} stopped: {error}",
               types.MessageType.Warning)
        return
    for message in messages:
        ls.log(message, types.MessageType.Warning)
    ls.log(f"{index.what}: {summary}")


def _index_and_give_back(index: WantedIndex, tell: Any) -> Any:
    """An index run in this thread, then the memory it freed given back to the system
    (`heap.py`: a warm server grew by 20-30 MB a save)."""
    heap.keep_large_buffers_apart()
    try:
        return index_in_own_connection(index, tell)
    finally:
        heap.give_back_freed_memory()


def _first_large_read(ls: CitelsServer, index: WantedIndex) -> bool:
    """Whether the workspace's .bib files are indexed for the first time and read whole in a
    child process (more than CHILD_PROCESS_BYTES): a look at the open store and the files'
    sizes, on the event loop."""
    if index.what != WORKSPACE_INDEX:
        return False
    store = next((store for opened, store in zip(ls.opened_indexes, ls.catalogue.stores,
                                                 strict=False) if opened == index), None)
    try:
        if store is None or not store.is_empty():
            return False
        return sum(path.stat().st_size for path in index.paths) > CHILD_PROCESS_BYTES
    except Exception:  # an index or a file that cannot be read: the usual check says why
        return False


def _reads_much(index: WantedIndex) -> bool:
    """Whether an index run would read many bytes whole (a first index of a large .bib),
    rather than a saved .bib's changed entries."""
    from citels.bib_update import context_changed, read_by_blocks
    from citels.corpus.sources import signature, total_bytes
    from citels.indexer import IndexReport, find_corpus_files
    from citels.store import Store

    store = Store(index.database)
    try:
        if store.works_pending():
            return True  # a library's first index stopped before its works index: written whole
        known = store.file_states()
        whole = 0
        for path, _ in find_corpus_files(index.paths, IndexReport()):
            state = known.get(str(path))
            try:
                unchanged = state is not None and (state.size, state.mtime_ns) == signature(path)
            except Exception:  # unreadable: the index run says so
                continue
            if unchanged and not context_changed(store, path) or (
                    state is not None and read_by_blocks(store, path)):
                continue
            whole += total_bytes(path)
        return whole > CHILD_PROCESS_BYTES
    finally:
        store.close()


async def _index_in_child_process(index: WantedIndex) -> tuple[list[str], str]:
    """Index in a `citels index` of its own: reading a whole Zotero library or a large .bib
    takes about twice its papers' memory, which the server would otherwise keep for good."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "citels", "index", "--db", str(index.database),
        *map(str, index.paths), stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        # Not the editor's pipe (which the server's event loop reads, non-blocking).
        stdin=asyncio.subprocess.DEVNULL)
    _, errors = await process.communicate()
    lines = errors.decode("utf-8", "replace").splitlines()
    if process.returncode != 0 or not lines:
        raise RuntimeError(lines[-1] if lines else f"citels index exited {process.returncode}")
    return [line.removeprefix("warning: ") for line in lines[:-1]], lines[-1]


async def indexes_ready(ls: CitelsServer) -> None:
    """Wait for the index checks under way (commands that report on the whole index)."""
    ls.first_completion.set()  # the checks need not wait for a completion any longer
    pending = [task for task in ls.indexing if not task.done()]
    if pending:
        await asyncio.gather(*pending, return_exceptions=True)


ZOTERO_POLL_SECONDS = 2.0


async def watch_zotero(ls: CitelsServer, library: WantedIndex) -> None:
    """Re-index the Zotero library whenever its files change (Zotero keeps new items in the
    WAL, so the database file alone may not move): a stat every ~2 s, no SQL."""
    from citels.corpus.sources import signature

    database = library.paths[0]
    await asyncio.gather(*ls.indexing, return_exceptions=True)  # the first check
    seen = await asyncio.to_thread(_signature_or_none, signature, database)
    while True:
        await asyncio.sleep(ZOTERO_POLL_SECONDS)
        now = await asyncio.to_thread(_signature_or_none, signature, database)
        if now != seen:
            seen = now
            await refresh_index(ls, library)


def _signature_or_none(signature: Any, database: Path) -> tuple[int, int] | None:
    try:
        return signature(database)
    except Exception:  # a file moved away mid-compaction: it is asked again next time
        return None


def stats(ls: CitelsServer) -> dict[str, Any]:
    """How many papers the server answers from, and whether a Zotero library is one source."""
    counts: dict[str, Any] = dict(paper_stats(ls.catalogue.stores))
    zotero: dict[str, Any] = {"found": False, "status": ls.zotero_status}
    for index, store in zip(ls.opened_indexes, ls.catalogue.stores, strict=False):
        if index.what == ZOTERO_INDEX:
            zotero = {"found": True, "status": ls.zotero_status,
                      "path": str(index.paths[0]), "items": store.paper_counts()[0]}
    counts["zotero"] = zotero
    return counts


def refresh_workspace_bibliographies(ls: CitelsServer) -> None:
    """Re-read the workspace's .bib files (one was saved, created or deleted).

    When the same files are wanted (a save), only their index is checked again, on the
    stores already open: reopening every index and checking the corpus too took half a
    second of a save's second (docs/performance.md)."""
    wanted = _wanted(ls)
    if ls.index_location != tuple(wanted):
        reindex_everything(ls)
        return
    loop = asyncio.get_running_loop()
    for index in wanted:
        if index.what == WORKSPACE_INDEX:
            ls.indexing = [task for task in ls.indexing if not task.done()]
            check = _after(list(ls.indexing), refresh_index(ls, index))
            ls.indexing.append(loop.create_task(check))
    _read_keys_later(ls, wanted, list(ls.indexing))


def _read_keys_later(ls: CitelsServer, wanted: list[WantedIndex],
                     earlier: list[asyncio.Task] | None) -> None:
    """Once the first completion is answered (`earlier` None), or the index runs `earlier`
    have ended (a save: read beside its run, they made it searchable 0.1-0.2 s later),
    read the saved keys of the workspace's .bib files in a thread, for the diagnostics and
    new citations that ask for them (`project.read_saved_bib_keys_soon`)."""
    files = _workspace_files(wanted)
    if not files:
        return

    async def read() -> None:
        if earlier is None:
            await ls.after_start()
        else:
            await asyncio.gather(*earlier, return_exceptions=True)
        read_saved_bib_keys_soon(ls, files)

    task = asyncio.get_running_loop().create_task(read())
    _KEY_READS.add(task)  # held until done: the loop keeps only a weak reference
    task.add_done_callback(_KEY_READS.discard)


_KEY_READS: set[asyncio.Task] = set()


def _workspace_files(wanted: list[WantedIndex]) -> list[Path]:
    return [path for index in wanted if index.what == WORKSPACE_INDEX for path in index.paths]


async def _after(earlier: list[asyncio.Task], check: Any) -> None:
    # One index run at a time on an index: a second save waits for the first's run.
    await asyncio.gather(*earlier, return_exceptions=True)
    await check


def reindex_everything(ls: CitelsServer) -> None:
    """Reopen every index and check all their files again."""
    ls.index_location = None
    open_index(ls)
