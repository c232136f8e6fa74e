"""Corpus readers: files in, paper records out (one module per format).

`READERS` are the small files read whole, by their ending; `corpus.sources` decides what
any path is (those, a dump told by its content, a Semantic Scholar folder, a Zotero
library) and streams its papers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from citels.bibliography.hayagriva import parse_hayagriva
from citels.corpus.bibtex_file import parse_bibtex
from citels.corpus.csl_json import parse_csl_json
from citels.corpus.library import library_of
from citels.corpus.seed_pages import parse_seed_page
from citels.papers import Paper

# Which reader handles which file ending.
READERS = {
    ".txt": parse_seed_page,
    ".bib": parse_bibtex,
    ".biblatex": parse_bibtex,
    ".json": parse_csl_json,
}
# Read only from a file named on its own (a Typst document's bibliography, a corpus setting),
# never from every such file in a folder: most YAML files are not bibliographies.
NAMED_READERS = {".yml": parse_hayagriva, ".yaml": parse_hayagriva}


@dataclass
class FileRecords:
    """What one corpus file yielded: its paper records and any warnings about it."""

    papers: list[Paper] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class UnreadableFile(Exception):
    """A corpus file that cannot be read at all (binary, not UTF-8, unreadable)."""


def decode_corpus_file(path: Path, data: bytes) -> str:
    """Decode a corpus file's bytes, or raise UnreadableFile saying what is wrong with it."""
    if b"\0" in data:
        raise UnreadableFile(f"{path}: binary file (contains NUL bytes); skipped")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(
            f"{path}: not UTF-8 (invalid byte at offset {error.start}); skipped"
        ) from None


def read_records(path: Path, data: bytes, label: str) -> FileRecords:
    """Parse one corpus file's bytes; `label` is how sources name the file."""
    text = decode_corpus_file(path, data)
    result = FileRecords()
    suffix = path.suffix.lower()
    reader = READERS.get(suffix) or NAMED_READERS[suffix]
    if reader is parse_bibtex:  # a .bib may use its library's macros and parents
        result.papers = list(parse_bibtex(text, label, result.warnings, library_of(path)))
    else:
        result.papers = list(reader(text, label, result.warnings))
    return result
