"""Which records an index run merges into each paper it updates: a paper's own records, and
for a user's entry the corpus records of the same paper it takes in (merge.same_paper).

A corpus paper taken in by a user's entry is not a paper of its own; when the entry changes
or goes, the corpus paper is looked at again. Records of the same key read twice (two files
defining it) are one paper, the first definition's: the others are reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from citels.merge import claimant, claimed_title_id, is_user_id, user_prefix
from citels.papers import Paper
from citels.store import Store
from citels.store.rows import Record
from citels.store.spill import RecordSpill


@dataclass
class Group:
    """The records to merge into one paper; in a first index, its own records to write."""

    records: list[Paper]
    to_write: list[Record] | None
    taken_in: int = 0  # corpus records merged in from another merge id


@dataclass
class Gathered:
    """Every group an index run updates, and what else the run must write or say."""

    groups: dict[str, Group]
    # A first index's records of corpus papers taken in: written under their own merge id.
    taken_records: list[tuple[str, str, Paper]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def gather(store: Store, affected: set[str], spill: RecordSpill | None = None) -> Gathered:
    """The groups of the affected merge ids and of those linked to them.

    In a first index the records are in the `spill` (and `affected` need only name the
    user's entries: every other paper is its own records)."""
    records: RecordSpill | Store = spill if spill is not None else store
    # A user entry's title, then every user entry of that title: which of them takes the
    # corpus paper in depends on all of them.
    titles = {claimed_title_id(mid) if is_user_id(mid) else mid for mid in affected}
    if spill is not None:  # a title no corpus record has is nothing to take in
        titles = {title for title in titles if title and spill.has(title)} \
            if spill.has_corpus_records() else set()
    mids = set(affected) | {t for t in titles if t}
    for title in [t for t in titles if t]:
        mids.update(records.merge_ids_between(*user_prefix(title)))
    gathered = Gathered({mid: _group(store, mid, spill) for mid in mids})
    for mid in sorted(mids):
        if not is_user_id(mid):
            _take_in(mid, records.merge_ids_between(*user_prefix(mid)), gathered)
        else:
            gathered.warnings += second_definitions(gathered.groups[mid].records)
    return gathered


def _group(store: Store, mid: str, spill: RecordSpill | None) -> Group:
    if spill is None:
        return Group(store.records_for(mid), None)
    in_order = spill.records_for(mid)
    return Group([paper for _, _, paper in in_order], in_order)


def _take_in(title: str, claimants: list[str], gathered: Gathered) -> None:
    corpus = gathered.groups[title]
    entries = [(mid, gathered.groups[mid].records) for mid in claimants
               if gathered.groups[mid].records]
    entries.sort(key=lambda item: (item[1][0].sources[0].path, item[1][0].sources[0].line))
    owner = claimant(corpus.records, entries)
    if owner is None:
        return
    gathered.groups[owner].records += corpus.records
    gathered.groups[owner].taken_in += len(corpus.records)
    if corpus.to_write is not None:
        gathered.taken_records += [(path, title, paper) for path, _, paper in corpus.to_write
                                   if paper is not None]
    gathered.groups[title] = Group([], None)


def second_definitions(records: list[Paper]) -> list[str]:
    """A warning for each definition of a user's key after the first (records of one
    merge id, in source order)."""
    users = [record for record in records if record.source_key is not None]
    return [f"{again.sources[0]}: {again.source_key} is defined again; the first"
            f" definition ({users[0].sources[0]}) is used" for again in users[1:]]
