"""The @preamble definitions written entries need, carried with them.

A library's `@preamble{"\\providecommand{\\noopsort}[1]{}"}` defines a command its entries use
(`year = {\\noopsort{a}1981}`); an entry written out alone (`citels bibtex`, or appended to a
document's refs.bib) would leave it undefined, and LaTeX stops on it. So the preambles of the
entry's library that define a command it uses go with it, as written, once per output; and
one whose definitions cannot be named (`\\input bibnames.sty`) goes with any entry of its
library, as a missing definition breaks the bibliography and an extra one does not. A target
file that has a preamble already (the same text, or defining the same commands) gets none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

_PREAMBLE_START = re.compile(r"@\s*preamble\s*[{(]", re.IGNORECASE)
_COMMAND = r"\\([A-Za-z@]+)"
# How a preamble defines a command: \newcommand{\x}, \providecommand\x, \def\x, \let\x…
_DEFINITION = re.compile(
    r"\\(?:(?:re)?newcommand|providecommand|DeclareRobustCommand)\*?\s*\{?\s*" + _COMMAND
    + r"|\\(?:[gex]?def|let)\s*" + _COMMAND)
_USE = re.compile(_COMMAND)
BIB_SUFFIXES = (".bib", ".biblatex")


@dataclass(frozen=True)
class Preamble:
    """One @preamble block: as written (what is carried), its text with spacing made one (to
    compare), and the commands it defines."""

    raw: str
    text: str
    defines: frozenset[str]


def preambles_in(text: str) -> list[Preamble]:
    """The @preamble blocks of a .bib text, in order."""
    found = []
    for match in _PREAMBLE_START.finditer(text):
        raw = _balanced_block(text, match.start(), match.end() - 1)
        if raw is None:
            continue  # unclosed: not a definition bibtex would use either
        body = raw[match.end() - match.start():-1]
        defines = frozenset(a or b for a, b in _DEFINITION.findall(body))
        found.append(Preamble(raw, " ".join(body.split()), defines))
    return found


def _balanced_block(text: str, start: int, opening: int) -> str | None:
    """The block from `start` to the close of the brace or parenthesis at `opening`."""
    close = "}" if text[opening] == "{" else ")"
    depth = 0
    for index in range(opening, len(text)):
        char = text[index]
        if char == text[opening]:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return text[start:index + 1]
    return None


@lru_cache(maxsize=32)  # a file's preambles, read again only when it changed
def _file_preambles(path: Path, size: int, mtime_ns: int) -> tuple[Preamble, ...]:
    try:
        text = path.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError:
        return ()
    return tuple(preambles_in(text))


def library_preambles(path: Path) -> list[Preamble]:
    """The preambles of a .bib file and of the other .bib files of its library (its folder,
    as `corpus.library` reads them); none for a file of another format."""
    if path.suffix.lower() not in BIB_SUFFIXES:
        return []
    from citels.corpus.library import library_of  # reading a library loads bibtexparser

    found: list[Preamble] = []
    for file in (path, *library_of(path).siblings):
        try:
            stat = file.stat()
        except OSError:
            continue
        found += _file_preambles(file, stat.st_size, stat.st_mtime_ns)
    return found


def needed(preambles: Iterable[Preamble], entries: Iterable[str]) -> list[Preamble]:
    """The preambles these written entries need: those defining a command they use, and
    those whose definitions cannot be named; each text once, in order."""
    used = {name for entry in entries for name in _USE.findall(entry)}
    chosen: dict[str, Preamble] = {}
    for preamble in preambles:
        if not preamble.defines or preamble.defines & used:
            chosen.setdefault(preamble.text, preamble)
    return list(chosen.values())


def carried(sources: Iterable[tuple[Path | None, str]]) -> list[Preamble]:
    """The preambles a set of written entries needs, each once: `sources` pairs each entry's
    text with the file it was read from (None for a paper from no .bib)."""
    chosen: dict[str, Preamble] = {}
    for path, entry in sources:
        for preamble in needed(library_preambles(path), [entry]) if path else ():
            chosen.setdefault(preamble.text, preamble)
    return list(chosen.values())


def missing_from(existing: str, preambles: Iterable[Preamble]) -> list[Preamble]:
    """The preambles a file whose text is `existing` does not have: not the same text, and
    not defining the same commands already (a second \\newcommand of one name is an error)."""
    present = preambles_in(existing) if "preamble" in existing.lower() else []
    texts = {p.text for p in present}
    defined = frozenset().union(*(p.defines for p in present))
    return [p for p in preambles
            if p.text not in texts and not (p.defines and p.defines <= defined)]


def split_leading(entry: str) -> tuple[list[Preamble], str]:
    """The preambles written before an entry (as `with_preambles` puts them), and the rest."""
    rest = entry.lstrip()
    preambles = []
    while (start := _PREAMBLE_START.match(rest)) is not None:
        raw = _balanced_block(rest, 0, start.end() - 1)
        if raw is None:
            break
        preambles += preambles_in(raw)
        rest = rest[len(raw):].lstrip()
    return preambles, rest


def with_preambles(preambles: Iterable[Preamble], entry: str) -> str:
    """The entry with these preambles before it, one block a line."""
    head = "".join(p.raw + "\n" for p in preambles)
    return head + ("\n" if head else "") + entry
