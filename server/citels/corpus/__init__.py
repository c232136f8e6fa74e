"""Corpus readers: files in, paper records out (one module per format).

`READERS` are the small files read whole, by their ending; `corpus.sources` decides what
any path is (those, a dump told by its content, a Semantic Scholar folder, a Zotero
library) and streams its papers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from citels.papers import Paper

# The endings of the files read whole, each by its reader (`read_records`). The readers are
# imported when a file is read: the server answers its first completion without them.
READERS = frozenset({".txt", ".bib", ".biblatex", ".json"})
# Read only from a file named on its own (a Typst document's bibliography, a corpus setting),
# never from every such file in a folder: most YAML files are not bibliographies.
NAMED_READERS = frozenset({".yml", ".yaml"})
BIB_ENDINGS = (".bib", ".biblatex")


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


def streamed_bib_papers(path: Path, data: bytes, label: str, warnings: list[str]
                        ) -> Iterator[Paper]:
    """The papers of a .bib file's bytes, made one at a time as they are asked for (its
    warnings added to `warnings` as they are found); UnreadableFile at once when its bytes
    are not text. Held in a list, 100,000 entries' papers took `citels index` from 374 to
    575 MB (docs/performance.md)."""
    text = decode_corpus_file(path, data)
    from citels.corpus.bibtex_file import parse_bibtex
    from citels.corpus.library import library_of

    return parse_bibtex(text, label, warnings, library_of(path))


def read_records(path: Path, data: bytes, label: str) -> FileRecords:
    """Parse one corpus file's bytes; `label` is how sources name the file."""
    result = FileRecords()
    suffix = path.suffix.lower()
    if suffix in BIB_ENDINGS:  # a .bib may use its library's macros and parents
        result.papers = list(streamed_bib_papers(path, data, label, result.warnings))
        return result
    text = decode_corpus_file(path, data)
    if suffix == ".txt":
        from citels.corpus.seed_pages import parse_seed_page

        result.papers = list(parse_seed_page(text, label, result.warnings))
    elif suffix == ".json":
        from citels.corpus.csl_json import parse_csl_json

        result.papers = list(parse_csl_json(text, label, result.warnings))
    elif suffix in NAMED_READERS:
        from citels.corpus.hayagriva import parse_hayagriva

        result.papers = list(parse_hayagriva(text, label, result.warnings))
    else:
        raise UnreadableFile(f"{path}: not a corpus format ({suffix or 'no ending'})")
    return result
