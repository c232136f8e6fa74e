"""The rows a batch of papers becomes in the index: papers, records and full-text rows.

Pure functions of the papers, so the first index's helper process (`bulk.py`) can work the
full-text ones out while the index run's own process writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from citels.merge import hash_of_stored, stored_json
from citels.papers import Paper
from citels.store.index_text import index_text
from citels.store.packing import pack

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


TitleRow = tuple[int, str, str, str]  # (rowid, title, aliases, key)


@dataclass(frozen=True)
class FullText:
    """A batch's full-text rows."""

    titles: list[TitleRow]  # in rowid order
    texts: list[tuple[int, str]]  # (rowid, words); none when written aside (bulk.TextsAside)
    texts_aside: bool = False


@dataclass(frozen=True)
class Rows:
    """Everything a batch of papers writes."""

    papers: list[tuple[int, str, str, str, str | None, int | None, str, bytes]]
    records: list[tuple[str, int, str, bytes | str]]  # file, line, merge_id, data
    full_text: FullText


def title_rowid(paper_id: int, title_length: int) -> int:
    """The titles index's rowid: the title's length in words, then the paper id.

    The index returns matches in rowid order, so the first matches are the shortest
    titles: the ones a few typed words fit best.
    """
    return (title_length << 32) | paper_id


def full_text_rows(papers: Iterable[tuple[int, Paper]]
                   ) -> tuple[list[TitleRow], list[tuple[int, str]]]:
    """The titles and texts index rows of papers (to add, or to delete: the same rows)."""
    titles, texts = [], []
    for paper_id, paper in papers:
        text = index_text(paper)
        titles.append((title_rowid(paper_id, text.title_length), text.title, text.aliases,
                       text.key))
        texts.append((paper_id, text.words))
    return titles, texts


def record_row(path: str, line: int, merge_id: str, record: Paper | None
               ) -> tuple[str, int, str, bytes | str]:
    """A records row; None for the record stands for the paper's only one (ONLY_RECORD)."""
    data = ONLY_RECORD if record is None else pack(stored_json(record, with_title=True))
    return (path, line, merge_id, data)


def paper_texts(batch: Batch) -> list[PaperText]:
    """What the full-text rows of a batch are made from."""
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
        text = stored_json(paper)
        papers.append((paper_id, stored.merge_id, paper.key or "", (paper.key or "").lower(),
                       paper.title, paper.year,
                       stored.content_hash or hash_of_stored(paper.title, text),
                       pack(text)))
        records += [record_row(path, line, stored.merge_id, record)
                    for path, line, record in stored.records or ()]
    return Rows(papers, records, full_text or full_text_of(paper_texts(batch)))
