"""Writing a new entry into a bibliography file: where the insertion goes in an open buffer,
and the append on disk for a file the editor does not have open.

Both only ever add text at the end of the file; everything the user wrote stays byte for byte.
The entry's format (BibTeX or Hayagriva) comes from the file's suffix.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
from pathlib import Path

from citels.bibliography.append import line_ending
from citels.bibliography.edits import TextChange
from citels.bibliography.formats import format_of
from citels.cite_syntax.lines import split_lines


def target_of(path: Path) -> Path:
    """The file written for `path`: a symlink's target, so the link itself stays a link."""
    return path.resolve() if path.is_symlink() else path


def end_insertion(existing: str, key: str, entry: str, path: Path) -> TextChange | None:
    """The edit that makes `entry` end the buffer `existing` (the text of `path`); None when
    the key is there already."""
    append = format_of(path).append_entry(existing, key, entry)
    return None if append is None else insertion_at_end(existing, append.text)


def appended_entries(existing: str, entries: list[tuple[str, str]], path: Path) -> str:
    """The text that appends these (key, entry) pairs to `existing`, skipping keys that are
    there (or earlier in the list); empty when none is new."""
    added = ""
    for key, entry in entries:
        append = format_of(path).append_entry(existing + added, key, entry)
        if append is not None:
            added += append.text
    return added


def insertion_at_end(existing: str, added: str) -> TextChange:
    """`added` appended to the buffer `existing`, as an edit clients apply right.

    The edit never addresses the empty line after a final line break (clients reject it or
    add a blank line there): it goes at the end of the last real line, before its line break,
    and its text starts with the break instead.
    """
    lines = split_lines(existing)
    eol = line_ending(existing)
    if len(lines) > 1 and lines[-1] == "" and added.endswith(eol):
        last = len(lines) - 2
        return TextChange(last, len(lines[last]), last, len(lines[last]),
                          eol + added[:-len(eol)])
    last = len(lines) - 1
    return TextChange(last, len(lines[last]), last, len(lines[last]), added)


def append_on_disk(path: Path, key: str, entry: str) -> bool:
    """Append `entry` to the file at `path` (a symlink's target), unless the key is there;
    whether it was written.

    Under an exclusive lock the file is read again and the key checked again, so two writers
    (another citels, or two documents sharing the file) never add the same entry twice; the
    bytes are appended in place, which keeps the file's mode, owner and any links to it.
    """
    target = target_of(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        old = _read_all(descriptor)
        text = old.decode("utf-8", errors="surrogateescape")
        append = format_of(path).append_entry(text, key, entry)
        if append is None:
            return False
        os.write(descriptor, append.text.encode("utf-8", errors="surrogateescape"))
        os.fsync(descriptor)
        return True
    finally:
        os.close(descriptor)  # also releases the lock


def _read_all(descriptor: int) -> bytes:
    os.lseek(descriptor, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(descriptor, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


class WriterState:
    """What the writer remembers in one session: a lock per bibliography file, the keys
    being written, and the keys it wrote (never twice per file)."""

    def __init__(self) -> None:
        self._locks: dict[Path, asyncio.Lock] = {}
        self.pending: set[tuple[Path, str]] = set()
        self.written: set[tuple[Path, str]] = set()

    def lock(self, path: Path) -> asyncio.Lock:
        """The lock serialising writes to the file at `path` (links resolved)."""
        return self._locks.setdefault(target_of(path), asyncio.Lock())

    @staticmethod
    def slot(path: Path, key: str) -> tuple[Path, str]:
        """The (file, key) pair the pending and written sets hold; keys compare without case."""
        return target_of(path), key.lower()
