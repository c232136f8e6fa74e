"""Adding an entry to a .bib file: only ever appended, everything else left byte for byte."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from citels.bibliography.preamble import missing_from, split_leading, with_preambles
from citels.cite_syntax import bib_entry_keys
from citels.cite_syntax.lines import split_lines


@dataclass(frozen=True)
class Append:
    """Text to insert at the end of a file: `line` and `column` (in characters) of its end."""

    line: int
    column: int
    text: str


def entry_keys(text: str) -> set[str]:
    """The keys of a .bib text's entries, lower-cased (BibTeX compares keys ignoring case).

    Found by pattern, not by a parser, so an entry a parser would reject still counts.
    """
    return {span.key.lower() for span in bib_entry_keys(split_lines(text))}


def line_ending(text: str) -> str:
    """The file's own line ending: CRLF, lone CR or LF (LF for an empty file)."""
    if "\r\n" in text:
        return "\r\n"
    if "\r" in text and "\n" not in text:
        return "\r"
    return "\n"


def append_entry(existing: str, key: str, entry: str) -> Append | None:
    """Where and what to insert so `entry` ends the file; None if `key` is already there.
    The @preamble blocks `entry` starts with are added only if the file lacks them."""
    if key.lower() in entry_keys(existing):
        return None
    preambles, bare = split_leading(entry)
    if preambles:  # the definitions the entry needs, unless the file has them already
        entry = with_preambles(missing_from(existing, preambles), bare)
    eol = line_ending(existing)
    body = eol.join(entry.rstrip("\n").split("\n")) + eol
    if not existing.strip("\ufeff"):
        separator = ""
    elif existing.endswith(eol + eol):
        separator = ""
    elif existing.endswith(("\n", "\r")):
        separator = eol  # one blank line between entries
    else:
        separator = eol + eol  # the file had no final newline: end its last line first
    lines = split_lines(existing)
    return Append(line=len(lines) - 1, column=len(lines[-1]), text=separator + body)


def append_to_file(path: Path, key: str, entry: str) -> bool:
    """Append an entry to a file on disk, atomically; False if the key was already there.

    The new file is written beside the old one and renamed over it, so a crash leaves either
    the old file or the new one, never half of either; the old bytes are copied unchanged.
    """
    old = path.read_bytes() if path.exists() else b""
    text = old.decode("utf-8", errors="surrogateescape")
    append = append_entry(text, key, entry)
    if append is None:
        return False
    new = old + append.text.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(new)
            out.flush()
            os.fsync(out.fileno())
        if path.exists():
            os.chmod(temporary, path.stat().st_mode & 0o7777)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return True
