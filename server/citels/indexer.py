"""Incremental indexing: find corpus files, re-read only those that changed, merge, key, store."""

from __future__ import annotations

import gc
import hashlib
import os
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

from citels import keys
from citels.corpus import UnreadableFile, is_corpus_file, read_records
from citels.store.rows import Record, StoredPaper
from citels.linking import gather
from citels.merge import content_hash, merge_id, merge_records
from citels.papers import Paper
from citels.store import FileState, Store

INDEX_CACHE_MB = 128  # the page cache an index run may use (the default is 2 MB)


@dataclass
class IndexReport:
    """What one indexing run did, for the one-line summary and for tests."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    files_read: int = 0
    files_unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # "path: why"
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed_anything(self) -> bool:
        """Whether the run added, updated or removed a paper."""
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """The one-line summary the CLI and the server's log show."""
        if not self.changed_anything and not self.files_read:
            head = f"index unchanged: {self.unchanged} papers"
        else:
            head = (
                f"indexed: {self.added} added, {self.updated} updated, {self.removed} removed,"
                f" {self.unchanged} unchanged papers ({self.files_read} files read,"
                f" {self.files_unchanged} unchanged)"
            )
        count = len(self.skipped)
        tail = f"; {count} file{'s' if count != 1 else ''} skipped" if count else ""
        return f"{head}{tail} in {self.seconds:.2f}s"


def find_corpus_files(paths: Iterable[Path], report: IndexReport) -> list[Path]:
    """The corpus files named or found below the named folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            for child in sorted(p for p in path.rglob("*") if p.is_file()):
                if is_corpus_file(child):
                    found.append(child.resolve())
                elif not _is_folder_furniture(child):
                    report.skipped.append(f"{child}: not a corpus format")
        elif path.is_file():
            if is_corpus_file(path):
                found.append(path.resolve())
            else:
                report.skipped.append(f"{path}: not a corpus format ({path.suffix or 'no ending'})")
        else:
            report.skipped.append(f"{path}: not found")
    return list(dict.fromkeys(found))


def _is_folder_furniture(path: Path) -> bool:
    """Files a corpus folder may hold that are not papers: hidden files, READMEs, licences."""
    stem = path.name.split(".")[0].upper()
    return path.name.startswith(".") or stem in {"README", "LICENSE", "LICENCE", "NOTICE"}


@contextmanager
def _garbage_collector_paused() -> Iterator[None]:
    """An index run makes millions of objects that live to its end (records, papers, rows)
    and no reference cycles; the collector would go through them again and again as they
    pile up, for nothing (docs/performance.md)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def _garbage_collector_running() -> Iterator[None]:
    """Reading a file makes short-lived garbage with cycles (parsers' trees, LaTeX nodes):
    left to the end of the run it piled up to gigabytes (issue 17), so it is collected."""
    paused = not gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if paused:
            gc.disable()


def index_corpus(store: Store, paths: Iterable[Path], *, progress: bool = False) -> IndexReport:
    """Bring the index up to date with the corpus files, in one transaction."""
    with _garbage_collector_paused():
        return _index_corpus(store, paths, progress)


def _index_corpus(store: Store, paths: Iterable[Path], progress: bool) -> IndexReport:
    started = time.perf_counter()
    report = IndexReport()
    files = find_corpus_files(paths, report)
    known = store.file_states()
    to_read = []
    for path in files:
        state = known.get(str(path))
        stat = path.stat()
        if state and (state.size, state.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
            report.files_unchanged += 1  # trusted without reading, as make and git do
        else:
            to_read.append(path)
    removed_files = set(known) - {str(path) for path in files}
    # A first index is written without the WAL where it can be (see Store.rollback_journal).
    journal = store.rollback_journal() if to_read and store.is_empty() else nullcontext()
    with journal, store.transaction(cache_mb=INDEX_CACHE_MB if to_read or removed_files else None):
        affected: set[str] = set()
        for path_text in sorted(removed_files):
            affected |= store.remove_file(path_text)
        # A first index has no records but those read now: they are kept here, merged from
        # here, and written with their papers (by the helper process of a large run).
        first: dict[str, list[Record]] | None = {} if store.is_empty() else None
        for path in _with_progress(to_read, progress):
            affected |= _reindex_file(store, path, known.get(str(path)), report, first)
        _update_papers(store, affected, report, first)
        if report.changed_anything or store.get_meta("paper_counts") is None:
            store.count_papers()
        if report.changed_anything:
            store.refresh_vocabulary()
        total, _ = store.paper_counts()
    report.unchanged = total - report.added - report.updated
    report.seconds = time.perf_counter() - started
    return report


def _reindex_file(store: Store, path: Path, old: FileState | None, report: IndexReport,
                  first: dict[str, list[Record]] | None) -> set[str]:
    """Re-read one file whose size or time changed; return the merge ids it touched.

    `first` (a first index) collects the records by merge id instead of writing them."""
    try:
        data = path.read_bytes()
    except OSError as error:
        report.skipped.append(f"{path}: unreadable ({error.strerror})")
        return store.remove_file(str(path)) if old else set()
    stat = path.stat()
    digest = hashlib.sha256(data).hexdigest()
    if old and old.sha256 == digest:
        # Touched but not changed: remember the new time, re-parse nothing.
        store.put_file(FileState(str(path), stat.st_size, stat.st_mtime_ns, digest,
                                 old.records, old.warnings))
        report.files_unchanged += 1
        return set()
    report.files_read += 1
    affected = store.remove_file(str(path)) if old else set()
    try:
        with _garbage_collector_running():
            parsed = read_records(path, data, path.name)
    except UnreadableFile as error:
        report.skipped.append(str(error))
        return affected
    report.warnings += parsed.warnings
    records = [(merge_id(paper), paper) for paper in parsed.papers]
    store.put_file(FileState(str(path), stat.st_size, stat.st_mtime_ns, digest,
                             len(records), tuple(parsed.warnings)))
    if first is None:
        store.add_records(str(path), records)
    else:
        for mid, paper in records:
            line = paper.sources[0].line if paper.sources else 0
            first.setdefault(mid, []).append((str(path), line, paper))
    return affected | {mid for mid, _ in records}


def _update_papers(store: Store, affected: set[str], report: IndexReport,
                   first: dict[str, list[Record]] | None) -> None:
    """Re-merge every paper whose records changed; new papers get keys in source order.

    `first`, in a first index, holds every record there is, by merge id: they are merged
    from there and written with their papers."""
    to_merge: list[tuple[str, list[Paper], list[Record] | None]] = []
    gathered = gather(store, affected, first)
    report.warnings += gathered.warnings
    for path, mid, paper in gathered.taken_records:
        store.add_records(path, [(mid, paper)])
    for mid, group in gathered.groups.items():
        if group.records:
            to_merge.append((mid, group.records, group.to_write))
        elif store.delete_paper(mid):
            report.removed += 1
    # Papers with the user's own keys first, so a generated key never takes one of theirs;
    # then in source order: a merged paper's first source is its first record's.
    to_merge.sort(key=lambda item: (not any(record.source_key for record in item[1]),
                                    item[1][0].sources[0].path, item[1][0].sources[0].line))
    new_keys: list[tuple[str, str]] = []
    # Merged and keyed as they are written: a large run's helper process starts on the
    # first papers while the rest are still being keyed.
    store.put_papers(_keyed_papers(store, to_merge, report, first is not None, new_keys),
                     count=len(to_merge), first_index=first is not None)
    store.assign_keys(new_keys)


def _keyed_papers(store: Store, to_merge: list[tuple[str, list[Paper], list[Record] | None]],
                  report: IndexReport, first_index: bool, new_keys: list[tuple[str, str]]
                  ) -> Iterator[StoredPaper]:
    """The merged papers that changed, each with its key; keys given are added to
    `new_keys` (merge id, key)."""
    # Keys given in this run (lower-cased -> owner): their papers may not be written yet.
    given: dict[str, str] = {}
    suffixes_tried: dict[str, int] = {}
    # A first index has no key stored yet: nothing to look up, paper by paper.
    stored_keys = not first_index

    def taken(key: str) -> bool:
        return key.lower() in given or (stored_keys and store.key_taken(key))

    for mid, records, group in to_merge:
        paper = merge_records(records)
        paper.key = _user_key(store if stored_keys else None, mid, paper, report, given) or (
            store.key_for(mid) if stored_keys else None)
        if paper.key is None:
            paper.key = keys.unique_key(keys.base_key(paper), taken, suffixes_tried)
            new_keys.append((mid, paper.key))
        given[paper.key.lower()] = mid
        if group is not None:  # a first index: its hash is worked out with its rows
            # A paper read once is its record merged: the record is not stored twice.
            to_write = [(path, line, None) for path, line, _ in group] \
                if len(group) == 1 and len(records) == 1 else group
            report.added += 1
            yield StoredPaper(mid, paper, None, False, to_write)
            continue
        digest = content_hash(paper)
        old_digest = store.paper_hash(mid)
        if old_digest == digest:
            continue
        if old_digest is None:
            report.added += 1
        else:
            report.updated += 1
        yield StoredPaper(mid, paper, digest, old_digest is not None, None)


def _user_key(store: Store | None, mid: str, paper: Paper, report: IndexReport,
              given: dict[str, str]) -> str | None:
    """The key the user's library gives the paper, unless another paper has it already
    (in this run, or in the `store` when there is one to ask)."""
    if not paper.source_key:
        return None
    owner = given.get(paper.source_key.lower()) or (
        store.merge_id_of_key(paper.source_key) if store else None)
    if owner is not None and owner != mid:
        report.warnings.append(
            f"{paper.sources[0]}: key {paper.source_key} is another paper's already;"
            " this one keeps a generated key")
        return None
    return paper.source_key


def _with_progress(paths: list[Path], enabled: bool) -> Iterable[Path]:
    # A bar only where a person watches a terminal and the run is long enough to need one.
    if not enabled or len(paths) < 3 or not sys.stderr.isatty() or os.environ.get("CI"):
        return paths
    from tqdm import tqdm

    return tqdm(paths, desc="indexing", unit="file", file=sys.stderr, leave=False)
