"""Hayagriva YAML, Typst's own bibliography format: written entry by entry (read as a user
library by `corpus/hayagriva.py`, whose docstring describes the format).

Entries are only ever appended to a file, after what is there, byte for byte.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from citels.bibliography import append as bib_edit
from citels.bibliography.append import Append
from citels.bibliography.read import UserEntry
from citels.cite_syntax.spans import KeySpan
from citels.corpus.hayagriva import (  # noqa: F401 (parse_hayagriva: read here too)
    BIBTEX_FIELDS,
    HAYAGRIVA_TYPES,
    IDENTIFIER_SCHEMES,
    parse_hayagriva,
)
from citels.papers import Paper
from citels.render import abstract_opening, readable

SUFFIXES = (".yml", ".yaml")
# A key at the margin, plain or quoted, followed by ':' (how a broken file's keys are found).
_TOP_LEVEL_KEY = re.compile(
    r"""
    ^(?: "(?P<double>(?:[^"\\]|\\.)*)"       # "quoted key"
       | '(?P<single>(?:[^']|'')*)'          # 'quoted key'
       | (?P<plain>[^\s#'"\-?:,\[\]{}&*!|>%@`](?:[^#\n]*?[^\s#])?)  # a plain key
    )
    [ \t]*:(?:[ \t]|$)                       # the ':' that ends a key
    """,
    re.VERBOSE,
)
def defined_keys(lines: Sequence[str]) -> list[KeySpan]:
    """The key of every entry in a Hayagriva file, by pattern: found even in a file YAML
    rejects, for go to definition and to never add a key twice."""
    found = []
    for number, raw in enumerate(lines):
        match = _TOP_LEVEL_KEY.match(raw.rstrip("\r\n"))
        if match is None or raw.startswith(("---", "...")):
            continue
        group = next(name for name in ("double", "single", "plain") if match[name] is not None)
        key = match[group]
        key = key.replace("''", "'") if group == "single" else key
        key = re.sub(r"\\(.)", r"\1", key) if group == "double" else key
        found.append(KeySpan(key, number, match.start(group), match.end(group)))
    return found


def entry_end_line(lines: Sequence[str], start_line: int) -> int:
    """The last line of the entry whose key is on `start_line`: the line before the next line
    written at the margin (the next key, a comment, the end of the document), blank lines
    after the entry left to the next one."""
    end = start_line
    for number in range(start_line + 1, len(lines)):
        text = lines[number].rstrip("\r\n")
        if text and not text[0].isspace():
            break
        if text.strip():
            end = number
    return end


def entry_keys(text: str) -> set[str]:
    """The keys a Hayagriva text defines (compared exactly: Typst's labels keep their case)."""
    return {span.key for span in defined_keys(text.splitlines())}


# --- writing ----------------------------------------------------------------------------------


def to_hayagriva(paper: Paper, *, include_abstract: bool = True) -> str:
    """The paper as a Hayagriva entry (its key, then its fields indented), ending in a newline."""
    import yaml

    key = paper.key or paper.source_key
    assert key, "an entry needs a key"
    kind, parent_kind = HAYAGRIVA_TYPES.get((paper.entry_type or "").lower(), (None, None))
    if kind is None:
        kind, parent_kind = ("article", "periodical") if paper.venue else ("misc", None)
    entry: dict[str, Any] = {"type": kind}
    if paper.title:
        entry["title"] = readable(paper.title)
    else:
        opening = abstract_opening(paper.abstract or "", words=8)
        entry["title"] = f'[Untitled; abstract begins "{opening}"]'
    if paper.authors:
        entry["author"] = [_hayagriva_name(name) for name in paper.authors]
    if paper.editors:
        entry["editor"] = [_hayagriva_name(name) for name in paper.editors]
    if date := _date_value(paper):
        entry["date"] = date
    for field, name in BIBTEX_FIELDS.items():
        if paper.fields.get(field):
            entry[name] = readable(paper.fields[field].strip("{}"))
    if paper.venue:
        entry["parent"] = {"type": parent_kind or "periodical", "title": readable(paper.venue)}
    serial = {"doi": paper.doi} if paper.doi else {}
    serial |= {scheme: paper.identifiers[scheme] for scheme in IDENTIFIER_SCHEMES
               if paper.identifiers.get(scheme)}
    if serial:
        entry["serial-number"] = serial
    if paper.urls:
        entry["url"] = paper.urls[0]
    if paper.language:
        entry["language"] = paper.language
    if include_abstract and paper.abstract:
        entry["abstract"] = readable(paper.abstract)
    return yaml.dump({key: entry}, Dumper=_dumper(), sort_keys=False, allow_unicode=True,
                     default_flow_style=False, width=100)


def _date_value(paper: Paper) -> datetime.date | str | int | None:
    """An ISO date YAML writes unquoted: the day when known, else year-month, else the year."""
    if paper.date:
        try:
            return datetime.date.fromisoformat(paper.date)
        except ValueError:
            pass
    if paper.year and paper.month:
        return f"{paper.year:04d}-{paper.month:02d}"
    return paper.year


def _hayagriva_name(name: str) -> str:
    """A name as Hayagriva reads it, "Last, First" ("Ada Lovelace" alone would be one name)."""
    if "," in name or " " not in name.strip():
        return name.strip()
    words = name.split()
    # The family name starts at a lower-case particle (van, de) or else is the last word.
    start = next((i for i, word in enumerate(words[1:-1], 1) if word[:1].islower()),
                 len(words) - 1)
    return f"{' '.join(words[start:])}, {' '.join(words[:start])}"


def _dumper() -> type:
    import yaml

    class IndentedDumper(yaml.SafeDumper):
        """Lists indented under their field, as Hayagriva's own examples write them."""

        def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
            super().increase_indent(flow, False)

    return IndentedDumper


def append_entry(existing: str, key: str, entry: str) -> Append | None:
    """Where and what to insert so `entry` ends a Hayagriva file; None if `key` is there.

    The file's line endings are kept, a missing final newline is supplied before the entry,
    and entries are separated by one blank line (the same rules as a .bib file).
    """
    if key in entry_keys(existing):
        return None
    return bib_edit.append_entry(existing, key, entry)


def append_to_file(path: Path, key: str, entry: str) -> bool:
    """Append an entry to a Hayagriva file on disk, atomically; False if the key was there."""
    existing = path.read_bytes().decode("utf-8", errors="replace") if path.exists() else ""
    if key in entry_keys(existing):
        return False
    return bib_edit.append_to_file(path, key, entry)


def find_entry(text: str, key: str, source: str) -> UserEntry | None:
    """The entry with this key in a Hayagriva file, its fields flattened to text; None when the
    key is not there or the file is not valid YAML."""
    return read_entries(text, source).get(key)


def read_entries(text: str, source: str) -> dict[str, UserEntry]:
    """Every entry of a Hayagriva file by its key (Hayagriva's keys are case-sensitive), its
    fields flattened to text."""
    warnings: list[str] = []
    found: dict[str, UserEntry] = {}
    for paper in parse_hayagriva(text, source, warnings):
        fields = {name: value for name, value in (
            ("title", paper.title), ("author", " and ".join(paper.authors) or None),
            ("date", paper.date or (str(paper.year) if paper.year else None)),
            ("journal", paper.venue), ("doi", paper.doi),
            ("url", paper.urls[0] if paper.urls else None),
            ("abstract", paper.abstract)) if value}
        key = paper.key or ""
        found.setdefault(key, UserEntry(key, paper.entry_type or "misc", fields, source))
    return found


def render_entry(paper: Paper, *, include_abstract: bool = True, **_bibtex_options: object) -> str:
    """A paper as a Hayagriva entry; BibTeX's options (Unicode, URL field) do not apply."""
    return to_hayagriva(paper, include_abstract=include_abstract)
