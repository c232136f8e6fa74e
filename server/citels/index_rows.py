"""The rows a batch of papers becomes in the index; the full-text ones worked out in a helper
process when there are many.

Working out a paper's index text costs about as much Python time as SQLite spends writing
the paper. For a large index run a helper process does the former while this one writes,
so both cores work; the rows come back in order, so the index is the same either way.
"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing import get_context
from pathlib import Path

from citels.index_text import index_text
from citels.merge import hash_of_stored
from citels.papers import Paper

log = logging.getLogger(__name__)
# Below this many papers a helper process costs more to start than it saves.
HELPER_FROM_PAPERS = 20_000
# One: with two cores, a second helper only takes turns with this process's writing.
HELPERS = 1
BATCHES_AHEAD = 4  # batches sent to the helper before the first one's rows are awaited
PAPER_ID_MASK = (1 << 32) - 1

Record = tuple[str, int, Paper]  # a paper record as read: (file, line, record)
# A record to write with its paper: the record itself, or None when it is the paper's only
# record (stored as '': the paper's own data is that record merged, see Store.records_for).
RecordToWrite = tuple[str, int, Paper | None]
ONLY_RECORD = ""


@dataclass(frozen=True)
class StoredPaper:
    """A merged paper to write; in a first index, with the records it was merged from."""

    merge_id: str
    paper: Paper
    content_hash: str | None  # None: worked out with the rows
    replacing: bool  # a stored paper of this merge id is replaced
    records: list[RecordToWrite] | None  # None: its records are in the store already


Batch = list[tuple[int, StoredPaper]]  # (paper id, paper)


# What of a paper its full-text rows are made from (all index_text reads), and all the
# helper process is sent: plain strings cost a tenth of a paper's objects to send.
PaperText = tuple[int, str | None, str | None, str]  # (paper id, title, abstract, key)


@dataclass(frozen=True)
class FullText:
    titles: list[tuple[int, str, str, str]]  # (rowid, title, aliases, key), in rowid order
    texts: list[tuple[int, str]]  # (rowid, words); none when written aside (TextsAside)
    texts_aside: bool = False


@dataclass(frozen=True)
class Rows:
    papers: list[tuple[int, str, str, str, str | None, int | None, str, str]]
    records: list[tuple[str, int, str, str]]  # file, line, merge_id, data
    full_text: FullText


@dataclass
class TextsAside:
    """A first index's texts index, built by the helper process in a database of its own.

    The full-text inserts are the largest part of what the index run's own process does;
    the texts index is half of them and has nothing to do with the rest, so the helper
    writes it while this process writes the rest, and the store copies it in at the end
    (a million papers: 199 -> 169 s). The store
    gives the functions the helper runs (only the store writes SQL). `complete` says
    whether the helper finished: a helper that died took its uncommitted part with it."""

    path: Path
    open: Callable[[str], None]  # in the helper, given the path, before the first batch
    full_text: Callable[[list[PaperText]], FullText]  # a batch's rows, texts written aside
    close: Callable[[], None]  # commits, after the last batch
    complete: bool = False
    papers: list[int] = field(default_factory=list)  # ids whose texts went aside


def title_rowid(paper_id: int, title_length: int) -> int:
    """The titles index's rowid: the title's length in words, then the paper id.

    The index returns matches in rowid order, so the first matches are the shortest
    titles: the ones a few typed words fit best.
    """
    return (title_length << 32) | paper_id


def full_text_rows(papers: Iterable[tuple[int, Paper]]
                   ) -> tuple[list[tuple[int, str, str, str]], list[tuple[int, str]]]:
    """The titles and texts index rows of papers (to add, or to delete: the same rows)."""
    titles, texts = [], []
    for paper_id, paper in papers:
        text = index_text(paper)
        titles.append((title_rowid(paper_id, text.title_length), text.title, text.aliases,
                       text.key))
        texts.append((paper_id, text.words))
    return titles, texts


def record_row(path: str, line: int, merge_id: str, record: Paper | None
               ) -> tuple[str, int, str, str]:
    data = ONLY_RECORD if record is None else json.dumps(record.to_dict())
    return (path, line, merge_id, data)


def paper_texts(batch: Batch) -> list[PaperText]:
    return [(paper_id, stored.paper.title, stored.paper.abstract, stored.paper.key or "")
            for paper_id, stored in batch]


def full_text_of(papers: list[PaperText]) -> FullText:
    """The full-text rows of papers."""
    titles, texts = full_text_rows(
        (paper_id, Paper(title=title, abstract=abstract, key=key))
        for paper_id, title, abstract, key in papers)
    # FTS5 writes out what it holds in memory whenever a rowid comes lower than the last, so
    # the titles (whose rowids start with the title's length) go in in rowid order.
    titles.sort()
    return FullText(titles, texts)


def rows_for(batch: Batch, full_text: FullText | None = None) -> Rows:
    """A batch's rows; its full-text rows are worked out here unless given."""
    papers, records = [], []
    for paper_id, stored in batch:
        paper = stored.paper
        data = json.dumps(paper.to_dict())
        papers.append((paper_id, stored.merge_id, paper.key or "", (paper.key or "").lower(),
                       paper.title, paper.year, stored.content_hash or hash_of_stored(data),
                       data))
        records += [record_row(path, line, stored.merge_id, record)
                    for path, line, record in stored.records or ()]
    return Rows(papers, records, full_text or full_text_of(paper_texts(batch)))


def prepared(batches: Iterable[Batch], *, papers: int, aside: TextsAside | None = None
             ) -> Iterator[Rows]:
    """The rows of each batch, in order, taking the batches as they come; a helper process
    works them out for a large run (of about `papers`), and writes their texts index
    `aside` when given one."""
    if papers < HELPER_FROM_PAPERS or (os.cpu_count() or 1) < 2:
        yield from map(rows_for, batches)
        return
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
    waiting: deque[Batch] = deque()  # made, rows not written yet, oldest first
    sent: deque[Future[FullText]] = deque()  # the helper's work on them, as far as sent
    helper = None
    try:
        # "spawn": the server indexes from a thread, and forking a threaded process is unsafe.
        helper = ProcessPoolExecutor(
            max_workers=HELPERS, mp_context=get_context("spawn"),
            initializer=None if aside is None else aside.open,
            initargs=() if aside is None else (str(aside.path),))
        task = full_text_of if aside is None else aside.full_text
        # A few batches ahead, sent as they are made: the helper never waits for the next.
        for batch in source:
            waiting.append(batch)
            sent.append(helper.submit(task, paper_texts(batch)))
            if len(sent) > BATCHES_AHEAD:
                yield _oldest_rows(waiting, sent, aside)
        while sent:
            yield _oldest_rows(waiting, sent, aside)
        if aside is not None:
            helper.submit(aside.close).result()
            aside.complete = True
    except (BrokenProcessPool, OSError) as error:
        if batches_failed:
            raise
        # No helper to be had (or it died): the rest is worked out here, only slower.
        log.warning("indexing without a helper process: %s", error)
        yield from map(rows_for, list(waiting))
        yield from map(rows_for, source)
    finally:
        if helper is not None:
            # An index run that stops early (an error, an interrupt) leaves no work queued.
            helper.shutdown(wait=False, cancel_futures=True)


def _oldest_rows(waiting: deque[Batch], sent: deque[Future[FullText]],
                 aside: TextsAside | None) -> Rows:
    full_text = sent[0].result()  # if the helper died, its batch stays waiting
    sent.popleft()
    batch = waiting.popleft()
    if aside is not None and full_text.texts_aside:
        aside.papers += [paper_id for paper_id, _ in batch]
    return rows_for(batch, full_text)
