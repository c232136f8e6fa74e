"""Bibliography file formats, chosen by a file's suffix here and nowhere else.

A format knows how to render a paper as one of its entries, append an entry to a file's text
and read an entry back: BibTeX, and Hayagriva YAML (Typst's own format).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from citels.bibliography import hayagriva
from citels.bibliography.append import Append, append_entry, append_to_file
from citels.bibliography.entry import to_bibtex
from citels.bibliography.read import UserEntry, find_entry, read_entries


@dataclass(frozen=True)
class BibliographyFormat:
    """What citels does with one kind of bibliography file."""

    name: str
    suffixes: tuple[str, ...]  # lower case, with the dot
    render_entry: Callable[..., str]  # (paper, **options of to_bibtex) -> the entry's text
    append_entry: Callable[[str, str, str], Append | None]  # (file text, key, entry)
    find_entry: Callable[[str, str, str], UserEntry | None]  # (file text, key, file name)
    # (file text, file name) → every entry by key (lower-cased for BibTeX)
    read_entries: Callable[[str, str], dict[str, UserEntry]]
    append_to_file: Callable[[Path, str, str], bool] = append_to_file  # (path, key, entry)


BIBTEX = BibliographyFormat("bibtex", (".bib", ".biblatex"), to_bibtex, append_entry, find_entry,
                            read_entries)
HAYAGRIVA = BibliographyFormat("hayagriva", hayagriva.SUFFIXES, hayagriva.render_entry,
                               hayagriva.append_entry, hayagriva.find_entry,
                               hayagriva.read_entries, hayagriva.append_to_file)
FORMATS = (BIBTEX, HAYAGRIVA)


def format_of(path: Path) -> BibliographyFormat:
    """The format of a bibliography file, by its suffix; BibTeX when no format claims the
    suffix (a default bibliography named without .bib is still written as BibTeX)."""
    suffix = path.suffix.lower()
    return next((f for f in FORMATS if suffix in f.suffixes), BIBTEX)
