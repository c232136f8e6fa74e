"""The large index run's path: papers in batches, a helper process working out their rows,
and a first index's full-text indexes built aside by that helper and copied in at the end.

Working out a paper's index text costs about as much Python time as SQLite spends writing
the paper. For a large run a helper process does the former and writes the full-text
indexes while this one writes the rest, so both cores work, and this one works a batch out
itself whenever the helper is behind; the rows are written in order, so the index is the
same whoever made them.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from citels.helper_process import helper_pool
from citels.store.connection import Database, remove_database
from citels.store.fulltext import merge_later, merge_now, write_texts, write_titles
from citels.store.index_text import WorkRow
from citels.store.migrations import FULL_TEXT_INDEXES
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
from citels.store.works import write_works

log = logging.getLogger(__name__)
WRITE_BATCH = 1_000  # papers written to the index at a time
# Below this many papers a helper process costs more to start than it saves.
HELPER_FROM_PAPERS = 20_000
# One: with two cores, a second helper only takes turns with this process's writing.
HELPERS = 1
BATCHES_AHEAD = 4  # batches the helper has to do before this process works one out itself
BATCHES_HELD = 2 * BATCHES_AHEAD  # batches made before the oldest one's rows are awaited
# Batches worked out here whose rows may wait for the helper's inserts before this process
# waits for the oldest. The helper's inserts queue behind the batches it works out itself:
# with four, this process waited a tenth of the write phase (py-spy at 1M) while the helper
# did rows it could have done; sixteen batches of rows are ~40 MB (docs/performance.md).
INSERTS_HELD = 16
FTS_SHADOW_TABLES = ("data", "idx", "docsize", "config")  # what an FTS5 index is made of
ASIDE_CACHE_KB = 32 * 1024  # the helper's page cache for each index it builds aside
# Papers whose titles rows the helper holds before it writes them, sorted, in one go. A
# titles row's rowid starts with its title's length, so each batch's rows start lower than
# the last's, and FTS5 writes out what it holds whenever a rowid comes lower than the last:
# a small segment a batch, each merged again and again. Held together, they are written as
# fewer, larger segments (300k papers' titles: 26.2 -> 23.8 µs a paper, their merge at the
# end included; docs/performance.md). 32,000 titles rows are ~15 MB.
TITLES_HELD = 32 * WRITE_BATCH
# The works index merges its segments as FTS5 does while it is written (let pile up, they
# took more memory); the titles and texts indexes let theirs pile up (docs/performance.md).
MERGED_LATER = ("titles_fts", "texts_fts")
# The order the helper finishes its indexes in, each then taken in while it merges the
# next: the texts first, whose vocabulary is counted meanwhile (docs/performance.md).
ASIDE_ORDER = ("texts_fts", "titles_fts", "works_fts")


@dataclass
class IndexesAside:
    """A first index's full-text indexes (titles, texts, works), built by the helper process
    each in a database of its own (`database`).

    The full-text inserts are the largest part of writing a paper and have nothing to do
    with the rest: the helper writes them while this process writes the papers, records
    and keys, and `take(index, database)` copies each in as the helper finishes it (numbers
    in docs/performance.md). `complete` says whether the helper finished: a helper that
    died took its uncommitted part with it, and the papers in `spans` are indexed again
    from the store (the indexes `taken` before it died emptied first)."""

    path: Path
    take: Callable[[str, Path], None]
    complete: bool = False
    taken: list[str] = field(default_factory=list)
    # Ids of the papers whose full-text rows went aside, as [first, last + 1) spans: a list
    # of every id grew with the corpus (3 million ints are 100 MB).
    spans: list[tuple[int, int]] = field(default_factory=list)

    def add(self, batch: Batch) -> None:
        """Remember that this batch's full-text rows went aside."""
        for paper_id, _ in batch:
            if self.spans and self.spans[-1][1] == paper_id:
                self.spans[-1] = (self.spans[-1][0], paper_id + 1)
            else:
                self.spans.append((paper_id, paper_id + 1))

    def paper_ids(self) -> Iterator[int]:
        """Ids of the papers whose full-text rows went aside, in order."""
        for first, end in sorted(self.spans):
            yield from range(first, end)

    def database(self, index: str) -> Path:
        """Where the helper builds `index`."""
        return Path(f"{self.path}-{index}")

    def remove(self) -> None:
        """Delete the helper's databases (a run killed before may have left them, or the
        one database an earlier citels built all three in, at `path`)."""
        remove_database(self.path)
        for index in FULL_TEXT_INDEXES:
            remove_database(self.database(index))


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


def prepared(batches: Iterable[Batch], *, papers: int, aside: IndexesAside | None = None,
             works: bool = True, then: Callable[[], None] | None = None) -> Iterator[Rows]:
    """The rows of each batch, in order, taking the batches as they come; a helper process
    works them out for a large run (of about `papers`), and writes their full-text indexes
    `aside` when given one (those rows are then left out of what is yielded). Without
    `works`, no works or identifier rows are made.

    `then` is called once the last rows are written (asked for the next), while the helper
    finishes the indexes aside: work that needs every paper written but not their indexes
    is done so instead of after them."""
    then_done = False

    def run_then() -> None:
        nonlocal then_done
        if then is not None and not then_done:
            then_done = True
            then()

    if papers < HELPER_FROM_PAPERS or (os.cpu_count() or 1) < 2:
        yield from (rows_for(batch, works=works) for batch in batches)
        run_then()
        return
    # Imported here: the process pool takes a server's start-up ~20 ms, and only a large
    # index run uses it.
    from concurrent.futures.process import BrokenProcessPool

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
    inserting: deque[Future[None]] = deque()  # rows worked out here, in the helper's hands
    helper = None
    try:
        helper = helper_pool(HELPERS) if aside is None \
            else helper_pool(HELPERS, _open_aside, (str(aside.path), TITLES_HELD))
        task = partial(full_text_of if aside is None else _full_text_aside, works=works)
        for batch in source:
            waiting.append((batch, None))  # if the helper dies now, this batch is done here
            # Rows sent to the helper's indexes are held here till written: when its inserts
            # fall behind, this process waits for them (else they piled up without end).
            _check_inserted(inserting)
            while len(inserting) >= INSERTS_HELD:
                inserting.popleft().result()
            if _helper_behind(waiting, inserting):
                # The helper has enough to do: this one is worked out here, so that both
                # cores stay busy whichever process has more to do (docs/performance.md).
                waiting[-1] = (batch, _full_text_here(batch, helper, aside, inserting, works))
            else:
                # Sent as made, a few batches ahead: the helper never waits for the next.
                waiting[-1] = (batch, helper.submit(task, paper_texts(batch)))
            while waiting and (_ready(waiting[0][1]) or len(waiting) > BATCHES_HELD):
                yield _oldest_rows(waiting, aside, inserting)
        # Every batch is sent: the helper merges its indexes while the last are written.
        closing = [(index, helper.submit(_close_aside, index)) for index in ASIDE_ORDER] \
            if aside is not None else []
        while waiting:
            yield _oldest_rows(waiting, aside, inserting)
        run_then()
        if aside is not None:
            _check_inserted(inserting, wait=True)
            for index, closed in closing:
                closed.result()
                aside.take(index, aside.database(index))
                aside.taken.append(index)
            aside.complete = True
    except (BrokenProcessPool, OSError) as error:
        if batches_failed:
            raise
        # No helper to be had (or it died): the rest is worked out here, only slower.
        log.warning("indexing without a helper process: %s", error)
        for batch, work in list(waiting):
            yield rows_for(batch, work if isinstance(work, FullText) else None, works)
        yield from (rows_for(batch, works=works) for batch in source)
        run_then()
    finally:
        if helper is not None:
            # An index run that stops early (an error, an interrupt) leaves no work queued.
            helper.shutdown(wait=False, cancel_futures=True)


# A batch's full-text rows: the helper's work on them, worked out here, or not yet either.
_Work = Future[FullText] | FullText | None


def _helper_behind(waiting: deque[tuple[Batch, _Work]], inserting: deque[Future[None]]
                   ) -> bool:
    """Whether the helper has BATCHES_AHEAD batches still to work out or to insert."""
    working = sum(isinstance(work, Future) and not work.done() for _, work in waiting)
    return working + len(inserting) >= BATCHES_AHEAD


def _ready(work: _Work) -> bool:
    return isinstance(work, FullText) or (work is not None and work.done())


def _full_text_here(batch: Batch, helper: Executor, aside: IndexesAside | None,
                    inserting: deque[Future[None]], works: bool) -> FullText:
    """A batch's full-text rows worked out in this process; its titles, texts and works
    rows are sent to the helper's indexes when it builds them (after the batches sent
    before: the index is the same whoever works the rows out)."""
    full_text = papers_full_text([(paper_id, stored.paper) for paper_id, stored in batch],
                                 works)
    if aside is None:
        return full_text
    inserting.append(helper.submit(_insert_aside, full_text.titles, full_text.texts,
                                   full_text.works))
    aside.add(batch)
    return _without_indexed(full_text)


def _without_indexed(full_text: FullText) -> FullText:
    """The rows left to write once the full-text indexes' rows went aside."""
    return replace(full_text, titles=[], texts=[], works=[], aside=True)


def _check_inserted(inserting: deque[Future[None]], *, wait: bool = False) -> None:
    """Raise the error of a texts insert the helper failed (all of them, when `wait`)."""
    while inserting and (wait or inserting[0].done()):
        inserting.popleft().result()


def _oldest_rows(waiting: deque[tuple[Batch, _Work]],
                 aside: IndexesAside | None, inserting: deque[Future[None]]) -> Rows:
    batch, work = waiting[0]
    assert work is not None, "a batch is worked out before the next is made"
    # If the helper died (a result, an insert raising), this batch stays waiting.
    _check_inserted(inserting)
    full_text = work if isinstance(work, FullText) else work.result()
    waiting.popleft()
    if aside is not None and full_text.aside and not isinstance(work, FullText):
        aside.add(batch)
    return rows_for(batch, full_text)


def take_aside(db: Database, index: str, path: Path) -> None:
    """Make the full-text index `index` of `db` the one a first index's helper built at
    `path`, in the current transaction.

    An FTS5 index is its shadow tables, so they are copied over, by SQLite itself from the
    helper's database attached (a quarter of the time of copying the rows through Python:
    docs/performance.md). The table is made anew first: FTS5 keeps some of an index's
    structure in memory per connection, and a table this connection has never used has
    none to be out of date."""
    name = f"aside_{index}"
    db.attach_for_transaction(path, name)
    conn = db.conn
    create, vocabulary = FULL_TEXT_INDEXES[index]
    if vocabulary is not None:
        conn.execute(f"DROP TABLE main.{index.replace('_fts', '_vocab')}")
    conn.execute(f"DROP TABLE main.{index}")
    conn.execute(create)
    if vocabulary is not None:
        conn.execute(vocabulary)
    for shadow in FTS_SHADOW_TABLES:
        table = f"{index}_{shadow}"
        conn.execute(f"DELETE FROM main.{table}")
        conn.execute(f"INSERT INTO main.{table} SELECT * FROM {name}.{table}")


# --- in the helper process of a first index: the full-text indexes it builds aside ------

_asides: dict[str, sqlite3.Connection] = {}  # each index's database, by index
_titles_held: list[TitleRow] = []  # titles rows not written yet
_titles_to_hold = TITLES_HELD  # the index process's TITLES_HELD


def _open_aside(path: str, titles_held: int) -> None:
    global _titles_to_hold
    _titles_to_hold = titles_held
    for index, (create, _) in FULL_TEXT_INDEXES.items():
        conn = sqlite3.connect(f"{path}-{index}", isolation_level=None)
        # Scratch: if anything goes wrong it is thrown away, so no journal and no syncing.
        conn.execute("PRAGMA journal_mode = OFF")
        conn.execute("PRAGMA synchronous = OFF")
        conn.execute(f"PRAGMA cache_size = -{ASIDE_CACHE_KB}")
        conn.execute(create)
        conn.execute("BEGIN")
        if index in MERGED_LATER:
            merge_later(conn, index)
        _asides[index] = conn


def _full_text_aside(papers: list[PaperText], works: bool = True) -> FullText:
    full_text = full_text_of(papers, works)
    _insert_aside(full_text.titles, full_text.texts, full_text.works)
    return _without_indexed(full_text)


def _insert_aside(titles: list[TitleRow], texts: list[tuple[int, str]],
                  works: list[WorkRow]) -> None:
    _titles_held.extend(titles)
    if len(_titles_held) >= _titles_to_hold:
        _write_titles_held()
    write_texts(_asides["texts_fts"], texts)
    write_works(_asides["works_fts"], works)


def _write_titles_held() -> None:
    _titles_held.sort()
    write_titles(_asides["titles_fts"], _titles_held)
    _titles_held.clear()


def _close_aside(index: str) -> None:
    """Merge `index`'s segments into one and commit its database, for the index process
    to take while this one finishes the next."""
    if index == "titles_fts":
        _write_titles_held()
    conn = _asides.pop(index)
    merge_now(conn, index)
    conn.execute("COMMIT")
    conn.close()
