"""Open corpus dumps as streams, whatever their compression, and tell their format by content.

Dumps are gigabytes: nothing here reads a whole file. A file is decompressed as it is read
(gzip, bzip2, xz or zstd, told by the first bytes, so a misnamed file still opens), and its
format is told from its first record, so `papers.txt` holding OpenAlex works reads as OpenAlex.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import lzma
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import IO, Any, cast

# A reader takes a path (opened and decompressed here) or lines already open.
TextSource = str | os.PathLike[str] | Iterable[str]

_MAGIC = (
    (b"\x1f\x8b", "gzip"),
    (b"BZh", "bzip2"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"\x28\xb5\x2f\xfd", "zstd"),
)
_SNIFF_BYTES = 1 << 16  # enough for the opening of any dump and the first line of most
_SNIFF_LINES = 5  # a broken first line does not hide the format of the next
_SNIFF_LINE_LIMIT = 1 << 24  # an OpenAlex work with thousands of references is still one line


def compression(path: str | os.PathLike[str]) -> str | None:
    """The compression a file's first bytes announce ("gzip", "zstd", ...), or None."""
    with open(path, "rb") as raw:
        head = raw.read(6)
    return next((name for magic, name in _MAGIC if head.startswith(magic)), None)


class _CountedFile(io.RawIOBase):
    """A file whose reads are told to `tap` (the bytes as read from disk, still compressed)."""

    def __init__(self, path: str | os.PathLike[str], tap: Callable[[bytes], None]) -> None:
        self._file = open(path, "rb", buffering=0)
        self._tap = tap

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._file.readinto(buffer)
        if count:
            self._tap(bytes(memoryview(buffer)[:count]))
        return count or 0

    def close(self) -> None:
        self._file.close()
        super().close()


@contextmanager
def open_bytes(path: str | os.PathLike[str], tap: Callable[[bytes], None] | None = None
               ) -> Iterator[IO[bytes]]:
    """Open a file for reading as decompressed bytes, streamed; the compression is sniffed.

    `tap`, if given, sees every block of the file's own bytes as it is read (to hash them
    and to show how far the reading is, without reading the file twice)."""
    kind = compression(path)
    raw: IO[bytes] = (io.BufferedReader(_CountedFile(path, tap), 1 << 20) if tap
                      else open(path, "rb"))
    try:
        if kind == "gzip":
            stream: IO[bytes] = cast(IO[bytes], gzip.GzipFile(fileobj=raw, mode="rb"))
        elif kind == "bzip2":
            stream = bz2.BZ2File(raw, "rb")
        elif kind == "xz":
            stream = lzma.LZMAFile(raw, "rb")
        elif kind == "zstd":
            import zstandard  # here: only zstd dumps pay for importing it

            # read_across_frames: files written by `zstd` with several frames read as one.
            stream = io.BufferedReader(zstandard.ZstdDecompressor().stream_reader(  # type: ignore[arg-type]
                raw, read_across_frames=True, closefd=True))
        else:
            stream = raw
    except BaseException:
        raw.close()
        raise
    try:
        yield stream
    finally:
        stream.close()
        raw.close()  # the decompressors given a file object leave it open


@contextmanager
def open_text(path: str | os.PathLike[str], tap: Callable[[bytes], None] | None = None
              ) -> Iterator[IO[str]]:
    """Open a file as decompressed UTF-8 text lines, streamed.

    A byte that is not UTF-8 becomes U+FFFD rather than ending a multi-gigabyte read; a
    byte-order mark is dropped.
    """
    with open_bytes(path, tap) as stream:
        yield io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline=None)


def text_lines(source: TextSource) -> Iterator[str]:
    """The lines of a path (opened here, closed when done) or of lines given."""
    if isinstance(source, str | os.PathLike):
        with open_text(source) as stream:
            yield from stream
    else:
        yield from source


class DumpFormat(StrEnum):
    """The corpus formats the content sniffer tells apart."""

    ARXIV = "arxiv"  # arXiv metadata snapshot (Kaggle / OAI bulk export), JSON Lines
    OPENALEX = "openalex"  # OpenAlex works, JSON Lines (part_*.gz)
    S2_PAPERS = "s2-papers"  # Semantic Scholar "papers" dataset, JSON Lines
    S2_ABSTRACTS = "s2-abstracts"  # Semantic Scholar "abstracts" dataset, JSON Lines
    DBLP = "dblp"  # dblp.xml
    CSL_JSON = "csl-json"  # a CSL-JSON list of items (Zotero, Pandoc)
    JSON_LINES = "json-lines"  # any other JSON Lines of objects
    JSON_ARRAY = "json-array"  # any other JSON array of objects


@dataclass
class Dump:
    """What a path holds: its format and the files to read, in reading order.

    For Semantic Scholar, `files` are the papers and `abstracts` the abstracts to join
    to them (either may be empty when a folder holds only one of the two datasets).
    """

    format: DumpFormat
    files: list[Path]
    abstracts: list[Path] = field(default_factory=list)


def sniff_file(path: str | os.PathLike[str]) -> DumpFormat | None:
    """Which dump format a file holds, from its first record; None if it is none of them."""
    try:
        with open_bytes(path) as stream:
            head = stream.read(_SNIFF_BYTES)
            text = head.lstrip(b"\xef\xbb\xbf").lstrip()
            if text.startswith((b"<?xml", b"<!DOCTYPE dblp", b"<dblp")):
                return DumpFormat.DBLP if b"<dblp" in head else None
            if text.startswith(b"["):
                return _sniff_array(text.decode("utf-8", "replace"))
            if text.startswith(b"{"):
                return _sniff_lines(text, stream)
    except (OSError, EOFError, lzma.LZMAError, ValueError):
        return None
    return None


def sniff(path: str | os.PathLike[str]) -> Dump | None:
    """What a file or folder holds: one dump's format and its files; None if nothing known.

    A folder is read as one dump: an OpenAlex snapshot (`part_*.gz` under
    `updated_date=…` folders), or Semantic Scholar papers and abstracts side by side.
    """
    path = Path(path)
    if path.is_file():
        format = sniff_file(path)
        return Dump(format, [path]) if format else None
    if not path.is_dir():
        return None
    found: dict[DumpFormat, list[Path]] = {}
    for file in sorted(p for p in path.rglob("*") if p.is_file() and _may_be_data(p)):
        format = sniff_file(file)
        if format:
            found.setdefault(format, []).append(file)
    if DumpFormat.S2_PAPERS in found or DumpFormat.S2_ABSTRACTS in found:
        return Dump(DumpFormat.S2_PAPERS, found.get(DumpFormat.S2_PAPERS, []),
                    found.get(DumpFormat.S2_ABSTRACTS, []))
    if not found:
        return None
    # One format per folder: the one most of its files hold (an OpenAlex snapshot's
    # manifest is not a work).
    format = max(found, key=lambda name: len(found[name]))
    return Dump(format, found[format])


def _may_be_data(path: Path) -> bool:
    return not path.name.startswith(".") and path.name.lower() not in ("manifest", "readme.md",
                                                                       "license", "readme.txt")


def _sniff_lines(text: bytes, stream: IO[bytes]) -> DumpFormat | None:
    """The format of the first of a few lines that is a JSON object (one may be broken)."""
    for _ in range(_SNIFF_LINES):
        if b"\n" not in text:
            text += stream.readline(_SNIFF_LINE_LIMIT)
        line, _, text = text.partition(b"\n")
        try:
            record = json.loads(line)
        except ValueError:
            if not text:
                return None
            continue
        if isinstance(record, dict):
            return record_format(record) or DumpFormat.JSON_LINES
    return None


def _sniff_array(text: str) -> DumpFormat:
    decoder = json.JSONDecoder()
    position = len(text) - len(text[1:].lstrip())  # the first element, past "[" and spaces
    try:
        first, _ = decoder.raw_decode(text, position)
    except ValueError:
        return DumpFormat.JSON_ARRAY  # an element longer than the sniffed opening
    if isinstance(first, dict) and _is_csl_item(first):
        return DumpFormat.CSL_JSON
    return DumpFormat.JSON_ARRAY


def record_format(record: dict[str, Any]) -> DumpFormat | None:
    """Which dump a single JSON record comes from, by its field names; None if none known."""
    if "authors_parsed" in record or {"categories", "versions"} <= record.keys():
        return DumpFormat.ARXIV
    if "abstract_inverted_index" in record or "authorships" in record or str(
            record.get("id", "")).startswith("https://openalex.org/W"):
        return DumpFormat.OPENALEX
    corpus_id = record.get("corpusid", record.get("corpusId"))
    if corpus_id is not None:
        if "title" in record or "externalids" in record or "externalIds" in record:
            return DumpFormat.S2_PAPERS
        if "abstract" in record:
            return DumpFormat.S2_ABSTRACTS
    if _is_csl_item(record):
        return DumpFormat.CSL_JSON
    return None


def _is_csl_item(record: dict[str, Any]) -> bool:
    return "id" in record and "type" in record and bool(
        {"issued", "container-title", "DOI", "URL"} & record.keys()
        or any(isinstance(person, dict) and ("family" in person or "literal" in person)
               for person in record.get("author") or []))
