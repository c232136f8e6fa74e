"""Incremental indexing: find corpus files, re-read only those that changed, merge, key, store."""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path

from citels import bib_update, keys
from citels.corpus import UnreadableFile
from citels.corpus.sources import (
    ReadOptions,
    SourceKind,
    digest,
    find_sources,
    kind_of_file,
    read_source,
    signature,
    total_bytes,
)
from citels.index_progress import ReadingProgress
from citels.linking import gather
from citels.merge import content_hash, merge_id, merge_records
from citels.papers import Paper
from citels.store import FileState, Store
from citels.store.rows import Record, StoredPaper

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
    # Work done in transactions of its own once the run's has committed (entries of a saved
    # .bib that only moved: bib_update.Reread.move).
    after_commit: list[Callable[[], None]] = field(default_factory=list, repr=False)

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


def find_corpus_files(paths: Iterable[Path], report: IndexReport
                      ) -> list[tuple[Path, SourceKind]]:
    """The corpus sources named or found below the named folders, in a stable order, each
    with how it is read (a Zotero data directory is its database; see corpus.sources)."""
    found: list[tuple[Path, SourceKind]] = []
    for path in paths:
        path = path.expanduser()
        if path.is_dir():
            sources, others = find_sources(path)
            found += sources
            report.skipped += [f"{child}: not a corpus format" for child in others
                               if not _is_folder_furniture(child)]
        elif path.is_file():
            kind = kind_of_file(path)
            if kind is not None:
                found.append((path.resolve(), kind))
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


def index_corpus(store: Store, paths: Iterable[Path], *, progress: bool = False,
                 options: ReadOptions | None = None) -> IndexReport:
    """Bring the index up to date with the corpus files, in one transaction.

    `options` (filters, a field mapping) apply to the dumps read in this run; a dump read
    before with other options is read again. None: each file keeps the options it was last
    read with."""
    with _garbage_collector_paused():
        return _index_corpus(store, paths, progress, options)


def _index_corpus(store: Store, paths: Iterable[Path], progress: bool,
                  options: ReadOptions | None) -> IndexReport:
    started = time.perf_counter()
    report = IndexReport()
    files = find_corpus_files(paths, report)
    known = store.file_states()
    to_read = []
    for path, kind in files:
        state = known.get(str(path))
        try:
            size, mtime_ns = signature(path)
        except (OSError, UnreadableFile) as error:
            report.skipped.append(f"{path}: unreadable ({error})")
            continue
        same_options = options is None or _options_of(state) == options.describe()
        if state and (state.size, state.mtime_ns) == (size, mtime_ns) and same_options \
                and not bib_update.context_changed(store, path):
            report.files_unchanged += 1  # trusted without reading, as make and git do
        else:
            to_read.append((path, kind))
    removed_files = set(known) - {str(path) for path, _ in files}
    # A first index is written without the WAL where it can be (see Store.rollback_journal).
    journal = store.rollback_journal() if to_read and store.is_empty() else nullcontext()
    # A saved .bib re-read by its changed entries (bib_update) does with the default cache:
    # the large one stayed in the server's memory after the run.
    reads_whole = any(not bib_update.read_by_blocks(store, path) for path, _ in to_read)
    with journal, store.transaction(cache_mb=INDEX_CACHE_MB if reads_whole or removed_files
                                    else None):
        affected: set[str] = set()
        for path_text in sorted(removed_files):
            affected |= store.remove_file(path_text)
        # A first index has no records but those read now: they are kept here, merged from
        # here, and written with their papers (by the helper process of a large run).
        first: dict[str, list[Record]] | None = {} if store.is_empty() else None
        bar = ReadingProgress(sum(total_bytes(path) for path, _ in to_read), progress)
        try:
            for path, kind in to_read:
                bar.source(path.name)
                affected |= _reindex_file(store, path, kind, known.get(str(path)), report,
                                          first, options, bar)
        finally:
            bar.close()
        _update_papers(store, affected, report, first)
        if report.changed_anything or store.get_meta("paper_counts") is None:
            store.count_papers()
        if report.changed_anything:
            store.refresh_vocabulary()
        total, _ = store.paper_counts()
    for finish in report.after_commit:
        with store.transaction():
            finish()
    report.unchanged = total - report.added - report.updated
    report.seconds = time.perf_counter() - started
    return report


def _reindex_file(store: Store, path: Path, kind: SourceKind, old: FileState | None,
                  report: IndexReport, first: dict[str, list[Record]] | None,
                  options: ReadOptions | None, bar: ReadingProgress) -> set[str]:
    """Re-read one source whose size or time changed; return the merge ids it touched.

    `first` (a first index) collects the records by merge id instead of writing them."""
    if options is None:  # read as it was last time
        options = ReadOptions.parse(_options_of(old))
    described = options.describe()
    if old and first is None and not described:  # a saved .bib: only its changed entries
        was = signature(path)  # before it is read: a save while reading is seen next time
        reread = bib_update.reread_changed_entries(store, path)
        if reread is not None:
            return _reread(store, path, was, reread, report)
    try:
        size, mtime_ns = signature(path)
        # A file touched but not changed is not parsed again. A dump is hashed as it
        # streams past, so its hash is worked out first only when it may be unchanged.
        known_digest = None
        if kind in (SourceKind.ZOTERO, SourceKind.S2_FOLDER) or (
                old and old.size == size and _options_of(old) == described):
            known_digest = digest(path)
    except (OSError, UnreadableFile) as error:
        report.skipped.append(f"{path}: unreadable ({error})")
        return store.remove_file(str(path)) if old else set()
    if old and known_digest and old.sha256 == _stored_digest(known_digest, described) \
            and not bib_update.context_changed(store, path):
        store.put_file(FileState(str(path), size, mtime_ns, old.sha256, old.records,
                                 old.warnings))
        report.files_unchanged += 1
        return set()
    report.files_read += 1
    affected = store.remove_file(str(path)) if old else set()
    hasher = hashlib.sha256()

    def tap(block: bytes) -> None:
        hasher.update(block)
        bar.read(block)

    try:
        reading = read_source(path, kind, path.name, options, tap)
    except UnreadableFile as error:
        report.skipped.append(str(error))
        return affected
    counted = _PapersRead()
    try:
        with _garbage_collector_running():
            _store_records(store, path, counted.through(reading.papers, bar), first)
    except UnreadableFile as error:  # a dump whose format its content does not show
        report.skipped.append(str(error))
        return affected | counted.merge_ids
    except (OSError, EOFError, ValueError) as error:
        # A truncated download or a failing disk: what was read is kept, and said so.
        reading.warnings.append(f"{path}: reading stopped after {counted.count} papers"
                                f" ({error})")
    report.warnings += reading.warnings
    source_digest = known_digest or hasher.hexdigest()
    store.put_file(FileState(str(path), size, mtime_ns, _stored_digest(source_digest, described),
                             counted.count, tuple(reading.warnings)))
    if not described:  # for the next save of a .bib: which entry is where
        bib_update.remember_blocks(store, path, counted.placed, reading.warnings, source_digest)
    return affected | counted.merge_ids


def _reread(store: Store, path: Path, was: tuple[int, int], reread: bib_update.Reread,
            report: IndexReport) -> set[str]:
    """A .bib re-read by its changed entries (bib_update): remembered as read now."""
    size, mtime_ns = was
    report.files_read += 1
    report.warnings += reread.new_warnings
    state = FileState(str(path), size, mtime_ns, reread.digest, reread.records,
                      tuple(reread.warnings))
    if not reread.moves:
        store.put_file(state)
        return reread.affected
    # The changed entries are searchable at this run's commit; those that only moved are
    # moved after it. Till then the file is remembered as not read (no such time): a run
    # interrupted in between moves them next time.
    store.put_file(replace(state, mtime_ns=-1))

    def move() -> None:
        reread.move(store, path)
        store.put_file(state)

    report.after_commit.append(move)
    return reread.affected


@dataclass
class _PapersRead:
    """The papers of a source counted, and their merge ids, as they stream past."""

    count: int = 0
    merge_ids: set[str] = field(default_factory=set)
    placed: list[tuple[int, str]] = field(default_factory=list)  # (line, merge id)

    def through(self, papers: Iterator[Paper], bar: ReadingProgress
                ) -> Iterator[tuple[str, Paper]]:
        """Each paper with its merge id, counted."""
        for paper in papers:
            self.count += 1
            bar.paper()
            mid = merge_id(paper)
            self.merge_ids.add(mid)
            self.placed.append((paper.sources[0].line if paper.sources else 0, mid))
            yield mid, paper


def _store_records(store: Store, path: Path, records: Iterator[tuple[str, Paper]],
                   first: dict[str, list[Record]] | None) -> None:
    """Write a source's records as they come, or, in a first index, keep them in `first`."""
    if first is None:
        store.add_records(str(path), records)
        return
    for mid, paper in records:
        line = paper.sources[0].line if paper.sources else 0
        first.setdefault(mid, []).append((str(path), line, paper))


def _stored_digest(source_digest: str, options: str) -> str:
    # The options a dump was read with are kept beside its hash: other options, other papers.
    return f"{source_digest};{options}" if options else source_digest


def _options_of(state: FileState | None) -> str:
    return state.sha256.partition(";")[2] if state else ""


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
    # then in source order: a merged paper's first source is its first record's. Papers
    # read from one line (a minified JSON file) go by merge id: `affected` is a set, and
    # its order changes with the hash seed.
    to_merge.sort(key=lambda item: (not any(record.source_key for record in item[1]),
                                    item[1][0].sources[0].path, item[1][0].sources[0].line,
                                    item[0]))
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
