"""Reading one entry of a user's own .bib file (bibtexparser 2), fields as written.

This is the bibliography as the writer keeps it, read for hover and go-to; reading .bib files
into the index is `citels.corpus.bibtex_file`'s job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from citels.corpus.library import resolve


@dataclass(frozen=True)
class UserEntry:
    """An entry of a user's .bib file, with its fields as written (macros expanded)."""

    key: str
    entry_type: str
    fields: dict[str, str]
    source: str  # the file's name, to say where it came from


def find_entry(text: str, key: str, source: str) -> UserEntry | None:
    """The entry with this key (compared ignoring case), or None; broken entries are skipped."""
    return read_entries(text, source).get(key.lower())


def read_entries(text: str, source: str) -> dict[str, UserEntry]:
    """Every entry of a .bib text by lower-cased key (the first of a key defined twice, as
    bibtex and biber read it); broken entries are skipped."""
    # bibtexparser logs each block it cannot parse; a broken neighbour is not our news here.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    import bibtexparser  # here: it takes a tenth of a second, which server start-up need not pay

    parsed = bibtexparser.parse_string(text)
    # An entry with a repeated field is one biber reads (keeping one value): so are we.
    repeated = [block.ignore_error_block for block in parsed.failed_blocks
                if type(block).__name__ == "DuplicateFieldKeyBlock"]
    failed = {id(entry) for entry in repeated}
    found: dict[str, UserEntry] = {}
    for entry in [*parsed.entries, *repeated]:
        if entry.key.lower() in found:
            continue
        fields: dict[str, str] = {}
        for field in entry.fields:  # the first value of a repeated field, as bibtex
            value = str(field.value)
            # The parse stack's middlewares do not run on a block they call failed.
            fields.setdefault(field.key.lower(), resolve(value, {}) if id(entry) in failed
                              else value)
        found[entry.key.lower()] = UserEntry(entry.key, entry.entry_type, fields, source)
    return found
