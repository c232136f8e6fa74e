"""The large index run's path: papers in batches, a helper process working out their rows,
and a first index's titles and texts indexes built aside by that helper and copied in at
the end.

Working out a paper's index text costs about as much Python time as SQLite spends writing
the paper. For a large run a helper process does the former while this one writes, so both
cores work, and this one works a batch out itself whenever the helper is behind; the rows
are written in order, so the index is the same whoever made them.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from citels.store.fulltext import insert_texts, insert_titles, merge_later, merge_now
from citels.store.migrations import TEXTS_FTS, TEXTS_VOCAB, TITLES_FTS
from citels.store.rows import (
    Batch,
    FullText,
    PaperText,
    Rows,
    StoredPaper,
    TitleRow,
    full_text_of,
    paper_texts,
    papers_full_text,
    rows_for,
)

log = logging.getLogger(__name__)
WRITE_BATCH = 1_000  # papers written to the index at a time
# Below this many papers a helper process costs more to start than it saves.
HELPER_FROM_PAPERS = 20_000
# One: with two cores, a second helper only takes turns with this process's writing.
HELPERS = 1
BATCHES_AHEAD = 4  # batches the helper has to do before this process works one out itself
BATCHES_HELD = 2 * BATCHES_AHEAD  # batches made before the oldest one's rows are awaited
FTS_SHADOW_TABLES = ("data", "idx", "docsize", "config")  # what an FTS5 index is made of
# The indexes built aside, each with what makes it (and the vocabulary made on it, if any).
ASIDE_INDEXES = (("titles_fts", TITLES_FTS, None), ("texts_fts", TEXTS_FTS, TEXTS_VOCAB))


@dataclass
class FullTextAside:
    """A first index's titles and texts indexes, built by the helper process in a database
    of its own.

    The full-text inserts are the largest part of what the index run's own process does
    (the titles index, with its prefix indexes, alone a quarter of it), and have nothing to
    do with the rest: the helper writes them while this process writes the rest, and the
    store copies them in at the end (numbers in docs/performance.md). `complete` says
    whether the helper finished: a helper that died took its uncommitted part with it."""

    path: Path
    complete: bool = False
    papers: list[int] = field(default_factory=list)  # ids whose titles and texts went aside


def batches(papers: Iterable[StoredPaper], first_id: int) -> Iterator[Batch]:
    """The papers numbered from `first_id`, WRITE_BATCH at a time."""
    batch: Batch = []
    next_id = first_id
    for stored in papers:
        batch.append((next_id, stored))
        next_id += 1
        if len(batch) == WRITE_BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def prepared(batches: Iterable[Batch], *, papers: int, aside: FullTextAside | None = None,
             works: bool = True) -> Iterator[Rows]:
    """The rows of each batch, in order, taking the batches as they come; a helper process
    works them out for a large run (of about `papers`), and writes their titles and texts
    indexes `aside` when given one. Without `works`, no works or identifier rows are made."""
    if papers < HELPER_FROM_PAPERS or (os.cpu_count() or 1) < 2:
        yield from (rows_for(batch, works=works) for batch in batches)
        return
    # Imported here: the process pool and multiprocessing take a server's start-up ~20 ms,
    # and only a large index run uses them.
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    batches_failed = False

    def watched_batches() -> Iterator[Batch]:
        # An error in making the batches is the caller's, never a reason to go on without
        # the helper (which would quietly drop the batches still to come).
        nonlocal batches_failed
        try:
            yield from batches
        except BaseException:
            batches_failed = True
            raise

    source = watched_batches()
    # Each batch made, rows not written yet, oldest first, with the helper's work on it or
    # its full-text rows worked out here.
    waiting: deque[tuple[Batch, _Work]] = deque()
    inserting: deque[Future[None]] = deque()  # texts worked out here, in the helper's hands
    helper = None
    try:
        # "spawn": the server indexes from a thread, and forking a threaded process is unsafe.
        helper = ProcessPoolExecutor(
            max_workers=HELPERS, mp_context=get_context("spawn"),
            initializer=None if aside is None else _open_aside,
            initargs=() if aside is None else (str(aside.path),))
        task = partial(full_text_of if aside is None else _full_text_aside, works=works)
        for batch in source:
            here = _helper_behind(waiting)
            waiting.append((batch, None))  # if the helper dies now, this batch is done here
            if here:
                # The helper has enough to do: this one is worked out here, so that both
                # cores stay busy whichever process has more to do (docs/performance.md).
                waiting[-1] = (batch, _full_text_here(batch, helper, aside, inserting, works))
            else:
                # Sent as made, a few batches ahead: the helper never waits for the next.
                waiting[-1] = (batch, helper.submit(task, paper_texts(batch)))
            while waiting and (_ready(waiting[0][1]) or len(waiting) > BATCHES_HELD):
                yield _oldest_rows(waiting, aside, inserting)
        # Every batch is sent: the helper merges its indexes while the last are written.
        closed = helper.submit(_close_aside) if aside is not None else None
        while waiting:
            yield _oldest_rows(waiting, aside, inserting)
        if aside is not None and closed is not None:
            closed.result()
            _check_inserted(inserting, wait=True)
            aside.complete = True
    except (BrokenProcessPool, OSError) as error:
        if batches_failed:
            raise
        # No helper to be had (or it died): the rest is worked out here, only slower.
        log.warning("indexing without a helper process: %s", error)
        for batch, work in list(waiting):
            yield rows_for(batch, work if isinstance(work, FullText) else None, works)
        yield from (rows_for(batch, works=works) for batch in source)
    finally:
        if helper is not None:
            # An index run that stops early (an error, an interrupt) leaves no work queued.
            helper.shutdown(wait=False, cancel_futures=True)


# A batch's full-text rows: the helper's work on them, worked out here, or not yet either.
_Work = Future[FullText] | FullText | None


def _helper_behind(waiting: deque[tuple[Batch, _Work]]) -> bool:
    """Whether the helper has BATCHES_AHEAD batches still to work out."""
    return sum(not _ready(work) for _, work in waiting) >= BATCHES_AHEAD


def _ready(work: _Work) -> bool:
    return isinstance(work, FullText) or (work is not None and work.done())


def _full_text_here(batch: Batch, helper: Executor, aside: FullTextAside | None,
                    inserting: deque[Future[None]], works: bool) -> FullText:
    """A batch's full-text rows worked out in this process; its titles and texts rows are
    sent to the helper's indexes when it builds them (after the batches sent before: the
    indexes are the same whoever works the rows out)."""
    full_text = papers_full_text([(paper_id, stored.paper) for paper_id, stored in batch],
                                 works)
    if aside is None:
        return full_text
    inserting.append(helper.submit(_insert_aside, full_text.titles, full_text.texts))
    aside.papers += [paper_id for paper_id, _ in batch]
    return replace(full_text, titles=[], texts=[], written_aside=True)


def _check_inserted(inserting: deque[Future[None]], *, wait: bool = False) -> None:
    """Raise the error of an insert the helper failed (all of them, when `wait`)."""
    while inserting and (wait or inserting[0].done()):
        inserting.popleft().result()


def _oldest_rows(waiting: deque[tuple[Batch, _Work]],
                 aside: FullTextAside | None, inserting: deque[Future[None]]) -> Rows:
    batch, work = waiting[0]
    assert work is not None, "a batch is worked out before the next is made"
    # If the helper died (a result, an insert raising), this batch stays waiting.
    _check_inserted(inserting)
    full_text = work if isinstance(work, FullText) else work.result()
    waiting.popleft()
    if aside is not None and full_text.written_aside and not isinstance(work, FullText):
        aside.papers += [paper_id for paper_id, _ in batch]
    return rows_for(batch, full_text)


def take_full_text_aside(conn: sqlite3.Connection, path: Path) -> None:
    """Make the titles and texts indexes of `conn` those a first index's helper built at
    `path`.

    An FTS5 index is its shadow tables, so they are copied over. Each table is made anew
    first: FTS5 keeps some of an index's structure in memory per connection, and a
    table this connection has never used has none to be out of date."""
    built = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for index, made_by, vocabulary in ASIDE_INDEXES:
            if vocabulary is not None:
                conn.execute(f"DROP TABLE {index.replace('_fts', '_vocab')}")
            conn.execute(f"DROP TABLE {index}")
            conn.execute(made_by)
            if vocabulary is not None:
                conn.execute(vocabulary)
            for shadow in FTS_SHADOW_TABLES:
                table = f"{index}_{shadow}"
                conn.execute(f"DELETE FROM {table}")
                rows = built.execute(f"SELECT * FROM {table}")
                places = ", ".join("?" * len(rows.description))
                while chunk := rows.fetchmany(WRITE_BATCH):
                    conn.executemany(f"INSERT INTO {table} VALUES ({places})", chunk)
    finally:
        built.close()


# --- in the helper process of a first index: the indexes it builds aside ----------------

_aside: sqlite3.Connection | None = None


def _open_aside(path: str) -> None:
    global _aside
    conn = sqlite3.connect(path, isolation_level=None)
    # Scratch: if anything goes wrong it is thrown away, so no journal and no syncing.
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    for index, made_by, _ in ASIDE_INDEXES:
        conn.execute(made_by)
        merge_later(conn, index)
    _aside = conn


def _full_text_aside(papers: list[PaperText], works: bool = True) -> FullText:
    full_text = full_text_of(papers, works)
    _insert_aside(full_text.titles, full_text.texts)
    return replace(full_text, titles=[], texts=[], written_aside=True)


def _insert_aside(titles: list[TitleRow], texts: list[tuple[int, str]]) -> None:
    assert _aside is not None
    insert_titles(_aside, titles)
    insert_texts(_aside, texts)


def _close_aside() -> None:
    assert _aside is not None
    for index, _, _ in ASIDE_INDEXES:
        merge_now(_aside, index)
    _aside.execute("COMMIT")
    _aside.close()
