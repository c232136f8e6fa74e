"""The rows a batch of papers becomes in the index, worked out in a helper process when many.

Working out a paper's index text and JSON costs about as much Python time as SQLite spends
writing it. For a large index run a helper process does the former while this one writes,
so both cores work; the rows come back in order, so the index is the same either way.
"""

from __future__ import annotations

import json
import logging
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context

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


@dataclass(frozen=True)
class Rows:
    papers: list[tuple[int, str, str, str, str | None, int | None, str, str]]
    titles: list[tuple[int, str, str, str]]  # (rowid, title, aliases, key)
    texts: list[tuple[int, str]]  # (rowid, words)
    records: list[tuple[str, int, str, str]]  # file, line, merge_id, data


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


def rows_for(batch: Batch) -> Rows:
    papers, records = [], []
    for paper_id, stored in batch:
        paper = stored.paper
        data = json.dumps(paper.to_dict())
        papers.append((paper_id, stored.merge_id, paper.key or "", (paper.key or "").lower(),
                       paper.title, paper.year, stored.content_hash or hash_of_stored(data),
                       data))
        records += [record_row(path, line, stored.merge_id, record)
                    for path, line, record in stored.records or ()]
    titles, texts = full_text_rows((paper_id, stored.paper) for paper_id, stored in batch)
    # FTS5 writes out what it holds in memory whenever a rowid comes lower than the last, so
    # the titles (whose rowids start with the title's length) go in in rowid order.
    titles.sort()
    return Rows(papers, titles, texts, records)


def prepared(batches: Iterable[Batch], *, papers: int) -> Iterator[Rows]:
    """The rows of each batch, in order, taking the batches as they come; a helper process
    works them out for a large run (of about `papers`)."""
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
    sent: deque[Future[Rows]] = deque()  # the helper's work on them, as far as sent
    helper = None
    try:
        # "spawn": the server indexes from a thread, and forking a threaded process is unsafe.
        helper = ProcessPoolExecutor(max_workers=HELPERS, mp_context=get_context("spawn"))
        # A few batches ahead, sent as they are made: the helper never waits for the next.
        for batch in source:
            waiting.append(batch)
            sent.append(helper.submit(rows_for, batch))
            if len(sent) > BATCHES_AHEAD:
                yield _oldest_rows(waiting, sent)
        while sent:
            yield _oldest_rows(waiting, sent)
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


def _oldest_rows(waiting: deque[Batch], sent: deque[Future[Rows]]) -> Rows:
    rows = sent[0].result()  # if the helper died, its batch stays waiting
    sent.popleft()
    waiting.popleft()
    return rows
