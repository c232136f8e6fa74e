"""A library: the .bib files of one folder, read as biber reads the files a document names.

A file may use the @string macros, crossref parents and biblatex xdata entries of the other
files (cryptobib keeps its macros in abbrev.bib, its entries in crypto.bib). A sibling's
macros are found by a scan for its @string blocks; its entries are parsed only when an
entry names a parent its own file does not have.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

BIB_SUFFIXES = (".bib", ".biblatex")
_STRING_START = re.compile(r"@\s*string\s*[{(]", re.IGNORECASE)


@dataclass
class Library:
    """The definitions a .bib file may use from the other files of its library."""

    macros: dict[str, str] = field(default_factory=dict)
    siblings: tuple[Path, ...] = ()
    # The file's own entries outside the text being parsed (a save re-reads only the
    # entries that changed, whose parents may be among those that did not).
    own: Callable[[str], tuple[str, dict[str, str]] | None] | None = None

    def entry(self, key: str) -> tuple[str, dict[str, str]] | None:
        """The entry (type, raw fields) with this key: the file's own, else a sibling's,
        the first file's if several."""
        found = self.own(key) if self.own is not None else None
        if found is not None:
            return found
        for path in self.siblings:
            try:
                stat = path.stat()
            except OSError:
                continue
            found = _entries_of(path, stat.st_size, stat.st_mtime_ns).get(key.lower())
            if found is not None:
                return found
        return None


NO_LIBRARY = Library()


def library_of(path: Path) -> Library:
    """The definitions of the other .bib files in `path`'s folder."""
    try:
        siblings = tuple(sorted(p for p in path.parent.iterdir() if p != path and p.is_file()
                                and p.suffix.lower() in BIB_SUFFIXES))
    except OSError:
        return NO_LIBRARY
    macros: dict[str, str] = {}
    for sibling in siblings:
        try:
            stat = sibling.stat()
        except OSError:
            continue
        macros.update(_macros_of(sibling, stat.st_size, stat.st_mtime_ns))
    return Library(macros, siblings)


def context_digest(library: Library, foreign_parents: bool) -> str:
    """What a file uses of its library, hashed: the macros; and, when it names parents that
    it does not hold, the other files themselves (their sizes and times). A file read with
    another context than now is read again (a sibling's @string changed)."""
    parts: list[object] = [sorted(library.macros.items())]
    if foreign_parents:
        for path in library.siblings:
            try:
                stat = path.stat()
            except OSError:
                continue
            parts.append([str(path), stat.st_size, stat.st_mtime_ns])
    return hashlib.sha1(json.dumps(parts).encode("utf-8", "surrogatepass")).hexdigest()[:20]


@lru_cache(maxsize=64)  # each file of a folder asks for the others': read each once
def _macros_of(path: Path, size: int, mtime_ns: int) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return {}
    return macros_in(text)


def macros_in(text: str, macros: dict[str, str] | None = None) -> dict[str, str]:
    """The @string macros a .bib text defines, each resolved with those before it (and
    `macros`, the library's), found by a scan for @string blocks: no parse of its entries."""
    import bibtexparser

    blocks = [_balanced_block(text, match.start(), match.end() - 1)
              for match in _STRING_START.finditer(text)]
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    known = dict(macros or {})
    found: dict[str, str] = {}
    for string in bibtexparser.parse_string("\n".join(blocks), parse_stack=[]).strings:
        found[string.key.lower()] = known[string.key.lower()] = resolve(str(string.value),
                                                                         known)
    return found


@lru_cache(maxsize=4)
def _entries_of(path: Path, size: int, mtime_ns: int) -> dict[str, tuple[str, dict[str, str]]]:
    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return {}
    return raw_entries(text)


def raw_entries(text: str) -> dict[str, tuple[str, dict[str, str]]]:
    """The entries of a .bib text by lower-cased key: (type, raw fields), the first if two."""
    import bibtexparser

    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for entry in bibtexparser.parse_string(text, parse_stack=[]).entries:
        if entry.key.strip():
            fields = {f.key.lower(): str(f.value) for f in reversed(entry.fields)}
            found.setdefault(entry.key.lower(), (entry.entry_type.lower(), fields))
    return found


def _balanced_block(text: str, start: int, opening: int) -> str:
    """The @string block from `start`, up to the close of its `opening` (or the line's end)."""
    depth = 0
    for index in range(opening, min(len(text), opening + 100_000)):
        char = text[index]
        if char in "{(":
            depth += 1
        elif char in "})":
            depth -= 1
            if depth == 0:
                return text[start:index + 1]
    end = text.find("\n", start)
    return text[start:end if end >= 0 else len(text)]


def resolve(raw: str, macros: dict[str, str]) -> str:
    """A field's value as the style would see it: `#` joins, macros expanded, braces kept."""
    if "#" not in raw:  # one part: most values
        part = raw.strip()
        if part[:1] + part[-1:] in ("{}", '""'):
            return part[1:-1]
        return part if part.isdigit() else macros.get(part.lower(), part)
    parts = []
    for part in split_concatenation(raw.strip()):
        part = part.strip()
        if part[:1] + part[-1:] in ("{}", '""'):
            parts.append(part[1:-1])
        elif part.isdigit():
            parts.append(part)
        else:
            parts.append(macros.get(part.lower(), part))
    return "".join(parts)


def split_concatenation(raw: str) -> list[str]:
    """Split on `#` outside braces and quotes."""
    if "#" not in raw:
        return [raw]
    parts, depth, quoted, start = [], 0, False, 0
    for index, char in enumerate(raw):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == '"' and depth == 0:
            quoted = not quoted
        elif char == "#" and depth == 0 and not quoted:
            parts.append(raw[start:index])
            start = index + 1
    parts.append(raw[start:])
    return parts
