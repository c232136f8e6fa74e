"""A library: the .bib files of one folder, read as biber reads the files a document names.

A file may use the @string macros, crossref parents and biblatex xdata entries of the other
files (cryptobib keeps its macros in abbrev.bib, its entries in crypto.bib). A sibling's
macros are found by a scan for its @string blocks; its entries are parsed only when an
entry names a parent its own file does not have.
"""

from __future__ import annotations

import logging
import re
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

    def entry(self, key: str) -> tuple[str, dict[str, str]] | None:
        """A sibling's entry (type, raw fields) with this key, the first file's if several."""
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


@lru_cache(maxsize=64)  # each file of a folder asks for the others': read each once
def _macros_of(path: Path, size: int, mtime_ns: int) -> dict[str, str]:
    import bibtexparser

    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return {}
    blocks = [_balanced_block(text, match.start(), match.end() - 1)
              for match in _STRING_START.finditer(text)]
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    macros: dict[str, str] = {}
    for string in bibtexparser.parse_string("\n".join(blocks), parse_stack=[]).strings:
        macros[string.key.lower()] = resolve(str(string.value), macros)
    return macros


@lru_cache(maxsize=4)
def _entries_of(path: Path, size: int, mtime_ns: int) -> dict[str, tuple[str, dict[str, str]]]:
    import bibtexparser

    try:
        text = path.read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return {}
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
