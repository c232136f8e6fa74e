"""The user's bibliography is sacred: entries are only ever appended, everything else stays
byte for byte, and a write the server makes itself is atomic."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from citels.bibliography.append import append_entry, append_to_file
from citels.bibliography.locate import find_bibliography
from citels.workspace import OutsideWorkspace, ensure_inside

ENTRY = "@misc{newKey2024,\n  title = {A New Paper},\n}\n"

AWKWARD_FILES = {
    "crlf": b"@book{a,\r\n  title = {A},\r\n}\r\n",
    "no final newline": b"@book{a,\n  title = {A},\n}",
    "bom": "\ufeff@book{a,\n  title = {Ä},\n}\n".encode(),
    "comments and strings": (b"% my library\n@string{jan = \"January\"}\n@preamble{\"x\"}\n"
                             b"@comment{whatever}\n@book{a, month = jan}\n"),
    "unparseable entry": b"@book{broken, title = {never closed\n@book{a, title={A}}\n",
    "lone cr": b"@book{a,\r  title = {A},\r}\r",
    "latin-1 bytes": "@book{a, author = {M\xfcller}}\n".encode("latin-1"),
    "empty": b"",
}


@pytest.mark.parametrize("name", sorted(AWKWARD_FILES))
def test_appending_keeps_every_existing_byte(tmp_path: Path, name: str):
    path = tmp_path / "refs.bib"
    original = AWKWARD_FILES[name]
    path.write_bytes(original)
    assert append_to_file(path, "newKey2024", ENTRY) is True
    data = path.read_bytes()
    assert data.startswith(original)
    added = data[len(original):].decode("utf-8")
    assert "@misc{newKey2024," in added
    ending = "\r\n" if b"\r\n" in original else "\r" if b"\r" in original else "\n"
    assert added.endswith("}" + ending)
    # Only the file's own line ending is used in what was added.
    others = {"\r\n", "\r", "\n"} - {ending}
    assert not any(other in added.replace(ending, "") for other in others)
    # A second time adds nothing.
    assert append_to_file(path, "NEWKEY2024", ENTRY) is False
    assert path.read_bytes() == data


def test_a_key_in_an_unparseable_entry_still_counts_as_present():
    assert append_entry("@book{newKey2024, title = {never closed\n", "newKey2024", ENTRY) is None


def test_paths_leading_out_of_the_workspace_are_refused(tmp_path: Path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    outside = tmp_path / "outside"
    outside.mkdir()
    (workspace / "link").symlink_to(outside)
    document = workspace / "paper.tex"
    for declared in ("../outside/refs", str(outside / "refs"), "link/refs"):
        with pytest.raises(OutsideWorkspace):
            find_bibliography(document, f"\\bibliography{{{declared}}}", "latex", [workspace])
    with pytest.raises(OutsideWorkspace):
        find_bibliography(workspace / "notes.md",
                          "---\nbibliography: /etc/passwd.bib\n---\n", "markdown", [workspace])
    ensure_inside(workspace / "sub" / "refs.bib", [workspace])  # inside is fine


def test_kill_9_during_a_write_leaves_the_old_file_or_the_new_one(tmp_path: Path):
    path = tmp_path / "refs.bib"
    original = b"@book{a, title = {A}}\n" + b"% padding line\n" * 400_000  # ~6 MB
    path.write_bytes(original)
    writer = (
        "import sys\n"
        "from pathlib import Path\n"
        "from citels.bibliography.append import append_to_file\n"
        "path = Path(sys.argv[1])\n"
        "for number in range(1000):\n"
        "    append_to_file(path, f'k{number}', f'@misc{{k{number},\\n}}\\n')\n"
    )
    for delay in (0.05, 0.2, 0.4):
        process = subprocess.Popen([sys.executable, "-c", writer, str(path)])
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        data = path.read_bytes()
        assert data.startswith(original)
        # Whole entries only: the file ends at the end of an entry.
        assert data == original or data.endswith(b"}\n")
        assert data.count(b"@misc{") == data.count(b"\n}\n")
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "refs.bib"]
    # A killed write may leave its temporary file beside the bibliography, never in place of it.
    assert all(name.startswith(".refs.bib.") and name.endswith(".tmp") for name in leftovers)
