"""What a corpus path is, and its papers read as a stream, whatever its kind.

A corpus source is a small file read whole (a listing page, BibTeX, CSL-JSON), a dump told
by its content and streamed (arXiv, OpenAlex, DBLP, JSON Lines through a field mapping;
compressed or not), a Semantic Scholar folder (papers and abstracts read together), or a
Zotero library (its data directory or `zotero.sqlite`). The indexer asks `find_sources`
which sources a path holds, `signature` whether one changed, and `read_source` for its
papers; none of these holds a dump in memory.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from pathlib import Path
from typing import Protocol

from citels.corpus import (
    BIB_ENDINGS,
    NAMED_READERS,
    READERS,
    UnreadableFile,
    read_records,
    streamed_bib_papers,
)
from citels.corpus.filters import PaperFilter
from citels.corpus.streams import DumpFormat, open_bytes, open_text, sniff_file
from citels.papers import Paper

# Endings a dump comes with; a file with any other unknown ending is sniffed before use.
COMPRESSED = (".gz", ".bz2", ".xz", ".zst", ".zstd")
DUMP_ENDINGS = (".json", ".jsonl", ".ndjson", ".xml", *COMPRESSED)
ZOTERO_DATABASE = "zotero.sqlite"
_HASH_BLOCK = 1 << 20
_S2 = (DumpFormat.S2_PAPERS, DumpFormat.S2_ABSTRACTS)


class SourceKind(StrEnum):
    """How a corpus source is read."""

    WHOLE = "whole"  # a small file read at once by its ending's reader
    DUMP = "dump"  # a file streamed by the reader of its sniffed format
    S2_FOLDER = "s2-folder"  # a folder of Semantic Scholar papers and abstracts
    ZOTERO = "zotero"  # a Zotero database


@dataclass(frozen=True)
class ReadOptions:
    """How the papers of the dumps read in one run are chosen: a filter and a field mapping.

    They are remembered with each file they were used on (`describe`/`parse`), so a later
    run that names none re-reads a changed file the same way."""

    filter: PaperFilter = field(default_factory=PaperFilter)
    mapping: dict[str, str] | None = None  # generic JSON Lines; None: the default mapping

    def describe(self) -> str:
        """The options as text for the index ('' when there are none)."""
        if self.filter.is_empty and self.mapping is None:
            return ""
        return json.dumps({"filter": [list(self.filter.categories), self.filter.first_year,
                                      self.filter.last_year, list(self.filter.languages)],
                           "mapping": self.mapping}, sort_keys=True)

    @classmethod
    def parse(cls, text: str) -> ReadOptions:
        """The options `describe` wrote (none for text it did not write)."""
        try:
            data = json.loads(text) if text else {}
            categories, first, last, languages = data["filter"]
            return cls(PaperFilter(tuple(categories), first, last, tuple(languages)),
                       data["mapping"])
        except (ValueError, KeyError, TypeError):
            return cls()


def is_zotero_database(path: Path) -> bool:
    """Whether a path is a Zotero database (by name and content: not its `.bak` backups)."""
    from citels.corpus.zotero_location import is_sqlite_file

    return path.name.endswith(".sqlite") and path.is_file() and is_sqlite_file(path)


def zotero_database_in(folder: Path) -> Path | None:
    """The database of a Zotero data directory, or None if the folder is not one."""
    database = folder / ZOTERO_DATABASE
    return database if database.is_file() else None


def kind_of_file(path: Path) -> SourceKind | None:
    """How a single file is read, or None when it is no corpus format. (A Hayagriva .yml
    counts when named on its own; in a folder, `find_sources` passes over YAML files.)"""
    suffix = path.suffix.lower()
    if suffix in (".bib", ".biblatex") or suffix in NAMED_READERS:
        return SourceKind.WHOLE
    if path.name.endswith(".sqlite"):
        return SourceKind.ZOTERO if is_zotero_database(path) else None
    if suffix == ".txt":
        return SourceKind.WHOLE  # a listing page (or, sniffed when read, a dump)
    format = sniff_file(path)
    if format is DumpFormat.CSL_JSON and suffix not in COMPRESSED:
        return SourceKind.WHOLE
    if format is not None:
        return SourceKind.DUMP
    if suffix == ".json":
        return SourceKind.WHOLE  # its reader says what is wrong with it
    return None


def signature(path: Path) -> tuple[int, int]:
    """(size, newest modification time) of a source: equal signatures are trusted unchanged.

    A Zotero library counts its WAL and Better BibTeX's database, a folder all its files."""
    if path.is_dir():
        stats = [file.stat() for file in sorted(path.rglob("*")) if file.is_file()]
    elif is_zotero_database(path):
        from citels.corpus.zotero import library_state

        state = library_state(path)
        parts = [state.database.database, state.database.wal, state.database.journal,
                 state.better_bibtex.database, state.better_bibtex.wal]
        identities = [part for part in parts if part is not None]
        # (A compaction's new file has a new time; its inode is in `digest`.)
        return (sum(part.size for part in identities),
                max(part.mtime_ns for part in identities))
    else:
        stats = [path.stat()]
    return sum(s.st_size for s in stats), max((s.st_mtime_ns for s in stats), default=0)


def digest(path: Path) -> str:
    """The sha256 of a source's bytes, read a block at a time (a folder's files in order);
    of a Zotero library, of its files' identities (size, time, inode, WAL header)."""
    hasher = hashlib.sha256()
    if is_zotero_database(path):
        from citels.corpus.zotero import library_state

        hasher.update(repr(library_state(path)).encode())
        return hasher.hexdigest()
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    for file in files:
        with open(file, "rb") as stream:
            for block in iter(lambda: stream.read(_HASH_BLOCK), b""):
                hasher.update(block)
    return hasher.hexdigest()


def total_bytes(path: Path) -> int:
    """How many bytes reading a source goes through (the progress bar's total)."""
    return signature(path)[0] if not is_zotero_database(path) else 0


@dataclass
class SourceRead:
    """Papers of one source as they are read; `warnings` fills as they go."""

    papers: Iterator[Paper]
    warnings: list[str]


def read_source(path: Path, kind: SourceKind, label: str, options: ReadOptions,
                tap: Callable[[bytes], None] | None = None) -> SourceRead:
    """The papers of one source, streamed and filtered; `tap` sees the bytes as they are read.

    Raises UnreadableFile for a source that cannot be read at all."""
    warnings: list[str] = []
    if kind is SourceKind.ZOTERO:
        return SourceRead(iter(_zotero_papers(path, label, warnings)), warnings)
    if kind is SourceKind.WHOLE and not (path.suffix.lower() == ".txt" and sniff_file(path)):
        data = path.read_bytes()
        if tap:
            tap(data)
        papers: Iterable[Paper]
        if path.suffix.lower() in BIB_ENDINGS:  # a big library's papers are not all held
            papers = streamed_bib_papers(path, data, label, warnings)
        else:
            parsed = read_records(path, data, label)
            warnings += parsed.warnings
            papers = parsed.papers
        del data  # the file's text is the reader's now
    elif kind is SourceKind.S2_FOLDER:
        from citels.corpus.semantic_scholar import read_semantic_scholar

        papers = read_semantic_scholar(path, label, warnings)
    else:
        papers = _dump_papers(path, label, warnings, options, tap)
    accepts = options.filter.accepts
    chosen = papers if options.filter.is_empty else (p for p in papers if accepts(p))
    return SourceRead(iter(chosen), warnings)


def _dump_papers(path: Path, label: str, warnings: list[str], options: ReadOptions,
                 tap: Callable[[bytes], None] | None) -> Iterator[Paper]:
    format = sniff_file(path)
    if format is DumpFormat.DBLP:
        from citels.corpus.dblp import read_dblp

        # Streamed (so the run's progress and hash see its bytes), with the folder its
        # dblp.dtd sits in.
        with open_bytes(path, tap) as stream:
            yield from read_dblp(stream, label, warnings, path.parent)
        return
    with open_text(path, tap) as lines:
        if (read_lines := line_reader(format, options)) is not None:
            yield from read_lines(lines, label, warnings)
        elif format is DumpFormat.S2_PAPERS:
            from citels.corpus.semantic_scholar import read_semantic_scholar

            yield from read_semantic_scholar(lines, label, warnings)
        elif format is DumpFormat.S2_ABSTRACTS:
            warnings.append(f"{label}: Semantic Scholar abstracts without their papers; "
                            "index the folder holding both")
        elif format is DumpFormat.CSL_JSON:
            from citels.corpus.csl_json import parse_csl_json

            yield from parse_csl_json(lines.read(), label, warnings)
        elif format is DumpFormat.JSON_ARRAY:
            from citels.corpus.json_lines import read_json_lines

            yield from read_json_lines(lines, label, warnings, options.mapping)
        else:
            raise UnreadableFile(f"{path}: not a corpus format")


class LineReader(Protocol):
    """A JSON Lines dump's reader: the papers of a file's lines, or of a run of them from
    `first_line` with `listed` of their warnings listed (json_records.papers_of_objects)."""

    def __call__(self, lines: Iterable[str], label: str, warnings: list[str], *,
                 first_line: int = 1, listed: int | None = ...) -> Iterator[Paper]: ...


def line_reader(format: DumpFormat | None, options: ReadOptions) -> LineReader | None:
    """The reader of a dump format read a line at a time, each line on its own (arXiv,
    OpenAlex, JSON Lines through the mapping), or None: those can be read in runs of lines
    in parallel (chunked_reading.py)."""
    if format is DumpFormat.ARXIV:
        from citels.corpus.arxiv import read_arxiv

        return read_arxiv
    if format is DumpFormat.OPENALEX:
        from citels.corpus.openalex import read_openalex

        return read_openalex
    if format is DumpFormat.JSON_LINES:
        from citels.corpus.json_lines import read_json_lines

        return partial(read_json_lines, mapping=options.mapping)
    return None


def _zotero_papers(path: Path, label: str, warnings: list[str]) -> list[Paper]:
    from citels.corpus.zotero import read_items
    from citels.corpus.zotero_location import ZoteroError

    try:
        read = read_items(path, label=label)
    except ZoteroError as error:
        raise UnreadableFile(str(error)) from None
    warnings += read.warnings
    return read.papers


def find_sources(folder: Path) -> tuple[list[tuple[Path, SourceKind]], list[Path]]:
    """The sources below a folder, in a stable order, and the files that are none.

    A Zotero data directory is its database alone (not its PDFs); Semantic Scholar files
    are one source, the folder that holds them; any other corpus file is its own source."""
    database = zotero_database_in(folder)
    if database is not None:
        return [(database.resolve(), SourceKind.ZOTERO)], []
    found: list[tuple[Path, SourceKind]] = []
    others: list[Path] = []
    s2_folders: set[Path] = set()
    for child in sorted(p for p in folder.rglob("*") if p.is_file()):
        if s2_folders and any(parent in s2_folders for parent in child.parents):
            continue
        suffix = child.suffix.lower()
        if suffix in READERS and suffix != ".json":
            found.append((child.resolve(), SourceKind.WHOLE))
            continue
        format = sniff_file(child) if not child.name.startswith(".") else None
        if format in _S2:
            s2_folders.add(child.parent)
            found.append((child.parent.resolve(), SourceKind.S2_FOLDER))
        elif format is DumpFormat.CSL_JSON and suffix == ".json":
            found.append((child.resolve(), SourceKind.WHOLE))
        elif format is not None:
            found.append((child.resolve(), SourceKind.DUMP))
        elif suffix == ".json":
            found.append((child.resolve(), SourceKind.WHOLE))
        else:
            others.append(child)
    return found, others
