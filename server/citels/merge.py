"""Merging paper records that are one paper: which records match, and what the merge keeps."""

from __future__ import annotations

import hashlib
import json

from citels.papers import Paper
from citels.text import normalize_title


def merge_id(paper: Paper) -> str:
    """Records with equal merge ids are the same paper: same normalised title, or same abstract."""
    if paper.title:
        return "title:" + normalize_title(paper.title)
    digest = hashlib.sha1(normalize_title(paper.abstract or "").encode("utf-8")).hexdigest()
    return "abstract:" + digest


def merge_records(records: list[Paper]) -> Paper:
    """One paper from its records (in source order), keeping the richest metadata of each."""
    first = records[0]
    merged = Paper(title=first.title, abstract=first.abstract)
    for record in records:
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
        merged.source_key = merged.source_key or record.source_key
        merged.fields = merged.fields or dict(record.fields)
        merged.identifiers = {**record.identifiers, **merged.identifiers}
        merged.editors = merged.editors or list(record.editors)
        merged.urls += [url for url in record.urls if url not in merged.urls]
        merged.sources += [s for s in record.sources if s not in merged.sources]
    return merged


def content_hash(paper: Paper) -> str:
    """A fingerprint of everything stored for a paper, to skip rewriting unchanged rows."""
    return hash_of_stored(json.dumps(paper.to_dict()))


def hash_of_stored(data: str) -> str:
    """The content hash of a paper from the JSON it is stored as (fields in a fixed order)."""
    return hashlib.sha1(data.encode("utf-8")).hexdigest()
