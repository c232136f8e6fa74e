"""Writing an entry into a bibliography: the edit for an open buffer never addresses the line
after the final newline, and the append on disk keeps every old byte, links and modes."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from citels.bibliography.edits import TextChange
from citels.bibliography.writing import append_on_disk, end_insertion, insertion_at_end

ENTRY = "@misc{newKey2024,\n  title = {New},\n}\n"


def applied(text: str, change: TextChange) -> str:
    lines = text.splitlines(keepends=True) or [""]
    offset = sum(len(line) for line in lines[:change.line]) + change.start
    end = sum(len(line) for line in lines[:change.end_line]) + change.end
    return text[:offset] + change.new_text + text[end:]


@pytest.mark.parametrize("existing, expected_at, expected", [
    ("A\n", (0, 1), "A\n\n@misc{newKey2024,\n  title = {New},\n}\n"),
    ("A\r\n", (0, 1), "A\r\n\r\n@misc{newKey2024,\r\n  title = {New},\r\n}\r\n"),
    ("A", (0, 1), "A\n\n@misc{newKey2024,\n  title = {New},\n}\n"),
    ("", (0, 0), "@misc{newKey2024,\n  title = {New},\n}\n"),
    ("A\n\n", (1, 0), "A\n\n@misc{newKey2024,\n  title = {New},\n}\n"),
])
def test_the_insertion_goes_at_the_end_of_the_last_real_line(existing, expected_at, expected):
    change = end_insertion(existing, "newKey2024", ENTRY, Path("refs.bib"))
    assert (change.line, change.start) == (change.end_line, change.end) == expected_at
    assert len(existing.splitlines()) == 0 or change.line < len(existing.splitlines())
    assert applied(existing, change) == expected


def test_a_present_key_gives_no_insertion():
    assert end_insertion("@book{NEWKEY2024,\n}\n", "newKey2024", ENTRY, Path("r.bib")) is None


def test_several_entries_in_one_insertion():
    change = insertion_at_end("A\n", "\n@a{x,\n}\n\n@b{y,\n}\n")
    assert (change.line, change.start) == (0, 1)
    assert applied("A\n", change) == "A\n\n@a{x,\n}\n\n@b{y,\n}\n"


@pytest.mark.parametrize("old", [b"", b"% mine\r\n@book{a,\r\n}", b"@book{a,\n}\n"])
def test_append_on_disk_keeps_the_old_bytes(tmp_path: Path, old: bytes):
    path = tmp_path / "refs.bib"
    path.write_bytes(old)
    assert append_on_disk(path, "newKey2024", ENTRY)
    data = path.read_bytes()
    assert data.startswith(old) and data.count(b"@misc{newKey2024,") == 1
    if b"\r\n" in old:
        assert b"\n" not in data.replace(b"\r\n", b"")
    assert not append_on_disk(path, "NEWKEY2024", ENTRY)  # keys compare without case
    assert path.read_bytes() == data


def test_append_on_disk_writes_through_a_link_and_keeps_the_mode(tmp_path: Path):
    target = tmp_path / "library.bib"
    target.write_text("@book{a,\n}\n")
    os.chmod(target, 0o640)
    link = tmp_path / "refs.bib"
    link.symlink_to(target)
    assert append_on_disk(link, "newKey2024", ENTRY)
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert "@misc{newKey2024," in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o640


def test_append_on_disk_creates_a_missing_file(tmp_path: Path):
    path = tmp_path / "sub" / "references.bib"
    assert append_on_disk(path, "newKey2024", ENTRY)
    assert path.read_text() == ENTRY


def test_concurrent_appends_write_one_entry(tmp_path: Path):
    path = tmp_path / "refs.bib"
    path.write_text("@book{a,\n}\n")
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        append_on_disk(path, "newKey2024", ENTRY))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
    assert path.read_text().count("@misc{newKey2024,") == 1


def test_a_hayagriva_file_gets_a_hayagriva_entry(tmp_path: Path):
    path = tmp_path / "refs.yml"
    path.write_text("knuth84:\n  type: book\n  title: TeX\n")
    entry = "newKey2024:\n  type: misc\n  title: New\n"
    assert append_on_disk(path, "newKey2024", entry)
    assert path.read_text() == "knuth84:\n  type: book\n  title: TeX\n\n" + entry
