"""Reading one entry of a user's own .bib file (bibtexparser 2), fields as written.

This is the bibliography as the writer keeps it, read for hover and go-to; reading .bib files
into the index is `citels.corpus.bibtex_file`'s job.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass


@dataclass(frozen=True)
class UserEntry:
    """An entry of a user's .bib file, with its fields as written (macros expanded)."""

    key: str
    entry_type: str
    fields: dict[str, str]
    source: str  # the file's name, to say where it came from


def find_entry(text: str, key: str, source: str) -> UserEntry | None:
    """The entry with this key (compared ignoring case), or None; broken entries are skipped."""
    # bibtexparser logs each block it cannot parse; a broken neighbour is not our news here.
    logging.getLogger("bibtexparser").setLevel(logging.ERROR)
    import bibtexparser  # here: it takes a tenth of a second, which server start-up need not pay

    parsed = bibtexparser.parse_string(text)
    for entry in parsed.entries:
        if entry.key.lower() == key.lower():
            fields = {name.lower(): str(field.value) for name, field in entry.fields_dict.items()}
            return UserEntry(entry.key, entry.entry_type, fields, source)
    return None
