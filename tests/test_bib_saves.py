"""A .bib saved again is re-read by its changed entries (citels.bib_update), and what the
writer then finds is what a fresh read of the same files gives: titles, inherited fields,
lines to jump to, warnings. A change to the @string macros of another file of the library
reaches the entries that use them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from citels.indexer import index_corpus
from citels.store import Store

CRYPTO = Path(__file__).parent / "fixtures" / "userlib" / "crypto"


def as_seen(store: Store) -> dict[str, tuple]:
    """Every paper as completion, hover and go-to-definition show it."""
    seen = {}
    for paper in store.papers():
        key = paper.key or ""
        path, line = store.source_location(key) or ("", 0)
        seen[key] = (paper.to_dict(), Path(path).name, line)
    return seen


def fresh_read(folder: Path, tmp_path: Path) -> tuple[dict[str, tuple], list[str]]:
    """The papers and the crypto.bib warnings of an index built from nothing."""
    database = tmp_path / "fresh.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{database}{suffix}").unlink(missing_ok=True)
    store = Store(database)
    index_corpus(store, [folder])
    seen = as_seen(store), warnings_of(store, folder)
    store.close()
    return seen


def warnings_of(store: Store, folder: Path) -> list[str]:
    # In any order: a save lists them by line, a whole read as the parser met them.
    return sorted(store.file_states()[str((folder / "crypto.bib").resolve())].warnings)


@pytest.fixture
def library(tmp_path: Path) -> Path:
    folder = tmp_path / "crypto"
    shutil.copytree(CRYPTO, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_bytes().decode("utf-8")
    assert old in text
    path.write_bytes(text.replace(old, new, 1).encode("utf-8"))


NEW_ENTRY = "@article{Zebra:99,\n  title = {Quixotic Zebra Lattices},\n  year = {2099},\n}\n"
TOP_ENTRY = "@article{Top:1,\n  title = {Ornithopter Gearboxes},\n  year = {2098},\n}\n"
# (what the writer does to crypto.bib, how many papers the run adds, changes or removes at
# most: an entry that moved may be written again when it is merged again)
EDITS = [
    ("append an entry", lambda bib: edit(bib, "  year   = {2021},\n}\n",
                                         "  year   = {2021},\n}\n\n" + NEW_ENTRY), (1, 0, 0)),
    ("insert an entry near the top, moving those below",
     lambda bib: edit(bib, "@article{,", TOP_ENTRY + "\n@article{,"),
     (1, 0, 0)),
    ("retitle an entry with a repeated field, over two lines",
     lambda bib: edit(bib, "{\\TUG} and Report", "{\\TUG} and a\n  Report"), (1, 0, 1)),
    ("add an entry and its xdata parent", lambda bib: edit(bib, NEW_ENTRY, NEW_ENTRY + (
        "\n@xdata{acme,\n  publisher = {Acme Press},\n}\n\n@book{Child:1,\n"
        "  title = {A Child Book},\n  xdata = {acme},\n  year = {2001},\n}\n")), (1, 0, 0)),
    ("change the parent: its child inherits the change",
     lambda bib: edit(bib, "{Acme Press}", "{Acme Press International}"), (0, 1, 0)),
    ("remove an entry", lambda bib: edit(bib, NEW_ENTRY, ""), (0, 0, 1)),
    ("define a key again: the first definition still wins",
     lambda bib: edit(bib, "@web_page{w3c:html,", "@misc{Top:1, title = {Again}}\n"
                      "@web_page{w3c:html,"), (0, 9, 0)),  # read whole
]


def test_each_save_finds_what_a_fresh_read_finds(library: Path, tmp_path: Path):
    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [library])
    bib = library / "crypto.bib"
    for what, change, (added, updated, removed) in EDITS:
        change(bib)
        report = index_corpus(store, [library])
        assert (report.added, report.removed) == (added, removed), what
        assert report.updated <= updated + 1, what
        assert (as_seen(store), warnings_of(store, library)) == fresh_read(library, tmp_path), \
            what
    assert store.get("Top:1").title == "Ornithopter Gearboxes"
    assert store.get("Child:1").fields["publisher"] == "{Acme Press International}"
    assert store.get("Knuth:TB1-1").title == "TUG and a Report from an early AmSTeX user"


def test_a_new_entry_is_found_at_its_line_and_moved_entries_at_theirs(library: Path,
                                                                       tmp_path: Path):
    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [library])
    bib = library / "crypto.bib"
    edit(bib, "@article{,", NEW_ENTRY + "\n@article{,")
    report = index_corpus(store, [library])
    assert report.summary().startswith("indexed: 1 added, 0 updated, 0 removed")
    lines = bib.read_text(encoding="utf-8").splitlines()
    for key in ("Zebra:99", "w3c:html", "Sample:2021"):
        path, line = store.source_location(key) or ("", 0)
        assert lines[line - 1].endswith("{" + key + ","), key
        # Hover's "Source:" names the same line.
        assert [str(source) for source in store.get(key).sources] == [f"crypto.bib:{line}"]


def test_a_changed_macro_in_another_file_of_the_library_reaches_its_users(library: Path,
                                                                          tmp_path: Path):
    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [library])
    assert store.get("Knuth:TB1-1").venue == "TUGboat"
    edit(library / "abbrev.bib", '@string{j-TUGboat = "TUGboat"}',
         '@string{j-TUGboat = "TUGboat, the Communications of the TeX Users Group"}')
    edit(library / "abbrev.bib", '@string{crypto = "CRYPTO"}',
         '@string{crypto = "Advances in Cryptology: CRYPTO"}')
    index_corpus(store, [library])
    assert store.get("Knuth:TB1-1").venue == "TUGboat, the Communications of the TeX Users Group"
    # Through a crossref parent of the other file too.
    assert store.get("C:AbcDef20").venue == "Advances in Cryptology: CRYPTO 2020, Part I"
    assert (as_seen(store), warnings_of(store, library)) == fresh_read(library, tmp_path)


def test_a_changed_macro_of_the_file_itself_is_read_whole(library: Path, tmp_path: Path):
    bib = library / "crypto.bib"
    edit(bib, "@article{Knuth:TB1-1,", '@string{tb = "TB"}\n@article{Knuth:TB1-1,')
    edit(bib, "journal = j-TUGboat", "journal = tb")
    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [library])
    assert store.get("Knuth:TB1-1").venue == "TB"
    edit(bib, '@string{tb = "TB"}', '@string{tb = "The TB"}')
    index_corpus(store, [library])
    assert store.get("Knuth:TB1-1").venue == "The TB"
    assert (as_seen(store), warnings_of(store, library)) == fresh_read(library, tmp_path)


def test_a_run_interrupted_before_moving_entries_moves_them_next_time(library: Path,
                                                                        tmp_path: Path,
                                                                        monkeypatch):
    from citels import bib_update

    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [library])
    edit(library / "crypto.bib", "@article{,", NEW_ENTRY + "\n@article{,")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt  # the server stopped between the two transactions

    monkeypatch.setattr(bib_update.Reread, "move", interrupted)
    with pytest.raises(KeyboardInterrupt):
        index_corpus(store, [library])
    assert store.get("Zebra:99").title == "Quixotic Zebra Lattices"  # searchable already
    monkeypatch.undo()
    index_corpus(store, [library])
    assert (as_seen(store), warnings_of(store, library)) == fresh_read(library, tmp_path)


def test_a_parent_named_across_a_megabyte_boundary_reaches_its_child(tmp_path: Path):
    # The file is searched for "crossref" a megabyte at a time (no lowered copy of a big
    # file): a child whose "Crossref" straddles two pieces still inherits its parent's
    # change on the next save.
    folder = tmp_path / "big"
    folder.mkdir()
    bib = folder / "refs.bib"
    head = "".join(f"@article{{pad{number},\n  title = {{Padding Entry Number {number}}},\n"
                   f"  year = {{2001}},\n}}\n\n" for number in range(12_000))
    child = "@inproceedings{child1,\n  title = {A Child Paper},\n  Crossref = {parent1},\n}\n\n"
    at = child.index("Crossref")
    cut = (1 << 20) - 4  # "Cros" in the first megabyte, "sref" in the second
    assert len(head) < cut - at
    parent = "@proceedings{parent1,\n  title = {Proceedings},\n  booktitle = {Old Venue},\n}\n"
    bib.write_text(head + " " * (cut - at - len(head)) + child + parent, encoding="utf-8")
    assert bib.read_text(encoding="utf-8").index("Crossref") == cut
    store = Store(tmp_path / "index.sqlite3")
    index_corpus(store, [folder])
    assert store.get("child1").fields["booktitle"] == "{Old Venue}"
    edit(bib, "{Old Venue}", "{New Venue}")
    report = index_corpus(store, [folder])
    assert report.added == 0 and report.updated >= 1
    assert store.get("child1").fields["booktitle"] == "{New Venue}"
