"""The rows a batch of papers becomes in the index: papers, records and full-text rows.

Pure functions of the papers, so the first index's helper process (`bulk.py`) can work the
full-text ones out while the index run's own process writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import zip_longest

from citels.merge import hash_of_stored, stored_json
from citels.papers import Paper
from citels.store.index_text import WorkRow, index_text, title_text, work_rows
from citels.store.packing import pack
from citels.store.paper_codec import decode, encode
from citels.text import words

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


# A paper as the helper process is sent it, to work out its stored JSON, content hash,
# full-text and works rows and pack it: `paper_codec` bytes are quick to make and to send
# (the stored JSON made here cost this process 18 µs a paper, the helper's bytes 7).
PaperText = tuple[int, bytes]  # (paper id, the paper as paper_codec.encode makes it)


TitleRow = tuple[int, str, str, str]  # (rowid, title, aliases, key)


@dataclass(frozen=True)
class FullText:
    """A batch's full-text rows."""

    titles: list[TitleRow]  # in rowid order
    texts: list[tuple[int, str]]  # (rowid, words)
    works: list[WorkRow]  # the works index's rows, in rowid order
    identifiers: list[tuple[str, str, int]]  # (scheme, value, paper id)
    packed: list[bytes]  # each paper's stored JSON packed, in the batch's order
    hashes: list[str]  # each paper's content hash (merge.content_hash), in the batch's order
    # The titles, texts and works rows went to indexes built aside (bulk.IndexesAside):
    # those three lists are then empty.
    aside: bool = False


@dataclass(frozen=True)
class Rows:
    """Everything a batch of papers writes."""

    papers: list[tuple[int, str, str, str, str | None, int | None, str, bytes]]
    records: list[tuple[str, int, str, bytes | str]]  # file's path, line, merge_id, data
    full_text: FullText


def title_rowid(paper_id: int, title_length: int) -> int:
    """The titles index's rowid: the title's length in words, then the paper id.

    The index returns matches in rowid order, so the first matches are the shortest
    titles: the ones a few typed words fit best.
    """
    return (title_length << 32) | paper_id


def full_text_rows(papers: Iterable[tuple[int, Paper]], title_words: Iterable[list[str]] = ()
                   ) -> tuple[list[TitleRow], list[tuple[int, str]]]:
    """The titles and texts index rows of papers (to add, or to delete: the same rows);
    `title_words`, when given, has each paper's as `index_text` takes them."""
    titles, texts = [], []
    for (paper_id, paper), words_of_title in zip_longest(papers, title_words):
        text = index_text(paper, words_of_title)
        titles.append((title_rowid(paper_id, text.title_length), text.title, text.aliases,
                       text.key))
        texts.append((paper_id, text.words))
    return titles, texts


def record_row(file: str | int, line: int, merge_id: str, record: Paper | None
               ) -> tuple[str | int, int, str, bytes | str]:
    """A records row of a file (its path, or the number the index gives it); None for the
    record stands for the paper's only one (ONLY_RECORD)."""
    data = ONLY_RECORD if record is None else pack(stored_json(record, with_title=True))
    return (file, line, merge_id, data)


def paper_texts(batch: Batch) -> list[PaperText]:
    """What a batch's full-text and works rows are made from, to send the helper."""
    return [(paper_id, encode(stored.paper)) for paper_id, stored in batch]


def full_text_of(papers: list[PaperText], works: bool = True) -> FullText:
    """The full-text and works rows of papers sent as `paper_texts`, their content hashes,
    and the papers packed (without the works rows unless `works`)."""
    return papers_full_text([(paper_id, decode(data)) for paper_id, data in papers], works)


def papers_full_text(papers: list[tuple[int, Paper]], works: bool = True) -> FullText:
    """The full-text and works rows of keyed papers, their content hashes, and the papers
    packed. Without `works`, no works or identifier rows: a library's first index writes
    those after its papers are searchable (Store.write_pending_works)."""
    # Each title's words serve both its full-text rows and its works row.
    title_words = [words(title_text(paper)) for _, paper in papers]
    titles, texts = full_text_rows(papers, title_words)
    # FTS5 writes out what it holds in memory whenever a rowid comes lower than the last, so
    # the titles (whose rowids start with the title's length) go in in rowid order.
    titles.sort()
    work, identifiers = work_rows(papers, title_words) if works else ([], [])
    stored = [stored_json(paper) for _, paper in papers]
    return FullText(titles, texts, work, identifiers, [pack(text) for text in stored],
                    [hash_of_stored(paper.title, text)
                     for (_, paper), text in zip(papers, stored, strict=True)])


def rows_for(batch: Batch, full_text: FullText | None = None, works: bool = True) -> Rows:
    """A batch's rows; the full-text rows (with the works rows if `works`) are worked out
    here unless given."""
    full_text = full_text or papers_full_text(
        [(paper_id, stored.paper) for paper_id, stored in batch], works)
    papers, records = [], []
    for (paper_id, stored), packed, digest in zip(batch, full_text.packed, full_text.hashes,
                                                  strict=True):
        key = stored.paper.key or ""
        papers.append((paper_id, stored.merge_id, key, key.lower(), stored.paper.title,
                       stored.paper.year, stored.content_hash or digest, packed))
        records += [record_row(path, line, stored.merge_id, record)
                    for path, line, record in stored.records or ()]
    return Rows(papers, records, full_text)
