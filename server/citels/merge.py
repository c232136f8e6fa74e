"""Merging paper records that are one paper: which records match, and what the merge keeps.

Corpus records (no key of their own) are one paper when their normalised titles are equal.
A user's entry (a record with a `source_key`) is its own paper, identified by its key: two
entries of a user's libraries are never one paper unless they have the same key (then the
first read wins, as in biber). A user's entry takes in the corpus paper of the same title
only on strong evidence (`same_paper`); its merge id starts with that title's merge id, so
the corpus paper's claimants are found by prefix (`user_prefix`).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re

from citels.papers import FIELD_NAMES, Paper
from citels.text import fold_ascii, normalize_title

# Between a user entry's title part and its key part: sorts below every printable character,
# so the entries claiming a title are one range of merge ids.
_KEY_SEPARATOR = "\x1f"
_UNTITLED = "untitled"


def merge_id(paper: Paper) -> str:
    """Records with equal merge ids are the same paper: a user's entry by its key (and title),
    a corpus record by its normalised title, else by its abstract."""
    if paper.source_key is not None:
        title_part = corpus_id(paper) if paper.title else _UNTITLED
        return f"{title_part}{_KEY_SEPARATOR}key:{paper.source_key.lower()}"
    return corpus_id(paper)


def corpus_id(paper: Paper) -> str:
    """The merge id a corpus record with this title (or abstract) has: a digest of the
    normalised text, short because the index keeps merge ids in five places."""
    if paper.title:
        return short_id("t", _sha1(normalize_title(paper.title)))
    return short_id("a", _sha1(normalize_title(paper.abstract or "")))


def _sha1(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def short_id(kind: str, digest: bytes) -> str:
    """A merge id from a digest: 96 bits, which no two of a few billion papers share."""
    return f"{kind}:" + base64.urlsafe_b64encode(digest[:12]).decode("ascii")


def short_of_long_id(mid: str) -> str:
    """The merge id a paper has now, from the one it had in an index before schema 6
    ("title:<normalised title>", "abstract:<sha1 hex>", a user entry's with its key)."""
    head, separator, tail = mid.partition(_KEY_SEPARATOR)
    if head.startswith("title:"):
        head = short_id("t", _sha1(head[len("title:"):]))
    elif head.startswith("abstract:"):
        head = short_id("a", bytes.fromhex(head[len("abstract:"):]))
    return head + separator + tail


def is_user_id(mid: str) -> bool:
    """Whether a merge id is a user's entry's."""
    return _KEY_SEPARATOR in mid


def claimed_title_id(mid: str) -> str | None:
    """The corpus merge id a user entry's merge id may take in (None for untitled ones)."""
    title_part = mid.split(_KEY_SEPARATOR, 1)[0]
    return None if title_part == _UNTITLED else title_part


def user_prefix(title_id: str) -> tuple[str, str]:
    """The range [low, high) of the merge ids of user entries with this title."""
    return title_id + _KEY_SEPARATOR, title_id + chr(ord(_KEY_SEPARATOR) + 1)


_ARXIV_DOI = re.compile(r"10\.48550/arxiv\.(.+)", re.IGNORECASE)


def _arxiv_id(paper: Paper) -> str | None:
    found = paper.identifiers.get("arxiv") or (
        (match.group(1) if (match := _ARXIV_DOI.fullmatch(paper.doi or "")) else None))
    return re.sub(r"v\d+$", "", found.lower()) if found else None


def _family_name(name: str) -> str:
    family = name.split(",", 1)[0] if "," in name else (name.split() or [""])[-1]
    return re.sub(r"[^a-z]", "", fold_ascii(family).lower())


def same_paper(entry: Paper, corpus: Paper) -> bool:
    """Whether a user's entry and a corpus paper of the same normalised title are one paper:
    the same DOI or arXiv id; else no conflicting identifier, a year at most one apart (a
    preprint and its publication) and the same first author's family name, at least one
    of year and author known on both sides."""
    for ours, theirs in ((entry.doi and entry.doi.lower(), corpus.doi and corpus.doi.lower()),
                         (_arxiv_id(entry), _arxiv_id(corpus))):
        if ours and theirs:
            return ours == theirs
    compared = False
    if entry.year and corpus.year:
        if abs(entry.year - corpus.year) > 1:
            return False
        compared = True
    if entry.authors and corpus.authors:
        if _family_name(entry.authors[0]) != _family_name(corpus.authors[0]):
            return False
        compared = True
    return compared


def claimant(corpus: list[Paper], entries: list[tuple[str, list[Paper]]]) -> str | None:
    """Which user entry (merge id, its records; in source order) takes in a corpus paper."""
    if not corpus:
        return None
    paper = merge_records(corpus)
    for mid, records in entries:
        if records and same_paper(records[0], paper):
            return mid
    return None


def merge_records(records: list[Paper]) -> Paper:
    """One paper from its records (in source order), keeping the richest metadata of each.

    A user's entry comes first and its fields are the paper's; a second definition of the
    same key is ignored (biber keeps the first). Among other records a newer `updated`
    version's values win. `fields` (the raw BibTeX) are only ever the user entry's own."""
    users = [r for r in records if r.source_key is not None]
    owner = users[0] if users else None
    others = [r for r in records if r.source_key is None]
    # Newest first; records without a date keep their order after the dated ones.
    others.sort(key=lambda record: record.updated or "", reverse=True)
    ordered = ([owner] if owner else []) + others
    first = ordered[0] if ordered else records[0]
    merged = Paper(title=first.title, abstract=first.abstract)
    for record in ordered:
        # The longest abstract is the least truncated capture of it.
        if record.abstract and len(record.abstract) > len(merged.abstract or ""):
            merged.abstract = record.abstract
        merged.title = merged.title or record.title
        merged.date = merged.date or record.date
        merged.year = merged.year or record.year
        merged.authors = merged.authors or list(record.authors)
        # A record's count, else its list's length: so merging a merged paper again with
        # more records gives what merging its records would (a first index keeps only the
        # merged paper of a paper read once).
        merged.author_count = merged.author_count or record.author_count or (
            len(record.authors) or None)
        merged.organisation = merged.organisation or record.organisation
        merged.entry_type = merged.entry_type or record.entry_type
        merged.venue = merged.venue or record.venue
        merged.doi = merged.doi or record.doi
        merged.month = merged.month or record.month
        merged.editors = merged.editors or list(record.editors)
        merged.language = merged.language or record.language
        for scheme, value in record.identifiers.items():
            merged.identifiers.setdefault(scheme, value)
        merged.tags += [tag for tag in record.tags if tag not in merged.tags]
        if record.updated and record.updated > (merged.updated or ""):
            merged.updated = record.updated
        merged.retracted = merged.retracted or record.retracted
        merged.urls += [url for url in record.urls if url not in merged.urls]
    if owner is not None:
        merged.source_key = owner.source_key
        merged.fields = dict(owner.fields)
    # Every place the paper was read, ignored second definitions included (go-to finds them).
    for record in ([owner] if owner else []) + records:
        merged.sources += [s for s in record.sources if s not in merged.sources]
    return merged


# Made once: `json.dumps` with options makes an encoder each call (a first index stores
# millions of papers).
_STORED_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_FIELDS_NO_TITLE = tuple(name for name in FIELD_NAMES if name != "title")


def stored_json(paper: Paper, *, with_title: bool = False) -> str:
    """The JSON a paper is stored and fingerprinted as: its values (as `Paper.to_dict`
    gives them), the empty ones left out (reading fills them in), and the title only when
    asked (the papers table has it in a column of its own)."""
    # Read from the paper's attributes rather than through `to_dict`, which copies every
    # list to be kept: a third of the time of this, which runs for every paper indexed.
    values = {}
    for name in FIELD_NAMES if with_title else _FIELDS_NO_TITLE:
        value = getattr(paper, name)
        # Empty: None, False, '', [] or {}; not `value in (None, False, [], {})`, as
        # 0 == False and a year or count of 0 is kept.
        if value is None or value is False or (
                not value and isinstance(value, (str, list, dict))):
            continue
        values[name] = value
    if "sources" in values:
        values["sources"] = [str(source) for source in paper.sources]
    return _STORED_JSON.encode(values)


def content_hash(paper: Paper) -> str:
    """A fingerprint of everything stored for a paper, to skip rewriting unchanged rows."""
    return hash_of_stored(paper.title, stored_json(paper))


def hash_of_stored(title: str | None, data: str) -> str:
    """The content hash of a paper from its title and the JSON it is stored as (`stored_json`,
    fields in a fixed order)."""
    return hashlib.sha1(f"{title or ''}\x00{data}".encode()).hexdigest()
