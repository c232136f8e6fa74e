"""The vocabulary every stage shares: a paper, where it came from, a search hit."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """A place a paper record was read from: a corpus file and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Paper:
    """One paper as citels knows it; every field but the abstract may be unknown."""

    title: str | None = None
    abstract: str | None = None
    key: str | None = None
    date: str | None = None  # ISO 8601 (YYYY-MM-DD), when the day is known
    year: int | None = None
    authors: list[str] = field(default_factory=list)
    author_count: int | None = None
    organisation: str | None = None
    urls: list[str] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    # From the user's own libraries (.bib, CSL-JSON): what the source says, kept as it is.
    entry_type: str | None = None  # "article", "inproceedings", ...
    venue: str | None = None  # journal or proceedings title
    doi: str | None = None
    month: int | None = None
    source_key: str | None = None  # the key the user gave it: always kept
    fields: dict[str, str] = field(default_factory=dict)  # raw BibTeX fields, for writing back
    # Identifiers other than the DOI, by scheme: "arxiv" (1706.03762, hep-th/9901001),
    # "pmid", "pmcid", "isbn", "issn", "openalex" (W…), "s2" (corpus id), "dblp", "zotero".
    identifiers: dict[str, str] = field(default_factory=dict)
    editors: list[str] = field(default_factory=list)
    language: str | None = None
    tags: list[str] = field(default_factory=list)  # arXiv categories, Zotero collections
    updated: str | None = None  # ISO date of this version: a newer record replaces an older
    retracted: bool = False

    def to_dict(self) -> dict[str, Any]:
        """The paper as JSON-ready values (how the index stores it, and `--json` prints it)."""
        # By hand rather than dataclasses.asdict, which deep-copies every value: this runs
        # three times a paper when a million are indexed. The values are strings, numbers,
        # lists of strings and one dict of strings, so shallow copies are whole copies.
        data = {name: getattr(self, name) for name in FIELD_NAMES}
        data["authors"] = list(self.authors)
        data["urls"] = list(self.urls)
        data["fields"] = dict(self.fields)
        data["identifiers"] = dict(self.identifiers)
        data["editors"] = list(self.editors)
        data["tags"] = list(self.tags)
        data["sources"] = [str(source) for source in self.sources]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Paper:
        """A paper from `to_dict`'s values; names it does not know are ignored."""
        values = dict(data)
        values["sources"] = [parse_source(text) for text in values.get("sources", [])]
        return cls(**{name: value for name, value in values.items() if name in FIELD_NAMES})


# A paper's field names in their order (how it is stored, encoded and made again).
FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Paper))


def parse_source(text: str) -> Source:
    """A source from its text, `path:line`."""
    path, _, line = text.rpartition(":")
    return Source(path, int(line))


@dataclass(frozen=True)
class Hit:
    """A paper found by a search, with the score the ranker gave it (higher is better)."""

    paper: Paper
    score: float
