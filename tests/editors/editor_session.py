"""What every real-editor citation test shares: a LaTeX workspace with an existing refs.bib, a
`citels` on PATH that serves the bundled corpus from a prebuilt test index, an editor run
under a watchdog, and the checks a user would make afterwards (the line, the .bib's bytes).

Each editor test types `mirror desc` into `\\cite{}` twice (two lines), accepts "Mirror
Descent Policy Optimization" through the editor's own completion, saves all and quits.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
EDITORS = REPO / "editors"
TOOLS = Path(os.environ.get("CITELS_TOOLS", Path.home() / ".cache" / "citels-tools"))

TYPED = "mirror desc"
TITLE = "Mirror Descent Policy Optimization"
KEY = "mirrorDescentPolicy2020"
CITE_LINES = (2, 4)  # 0-based lines of main.tex holding an empty \cite{} each

MAIN_TEX = ("\\documentclass{article}\n\\begin{document}\n\\cite{}\n\n\\cite{}\n"
            "\\bibliography{refs}\n\\end{document}\n")
REFS_BIB = ("@article{knuth1984,\n  author = {Knuth, Donald E.},\n"
            "  title = {Literate Programming},\n  journal = {The Computer Journal},\n"
            "  year = {1984}\n}\n")


@dataclass
class Workspace:
    """The project folder an editor works in, and what its files held before."""

    folder: Path
    main: Path
    bib: Path
    bib_before: bytes
    env: dict[str, str]


@pytest.fixture(scope="session")
def corpus_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus indexed once for all editor tests (the server then starts at once)."""
    database = tmp_path_factory.mktemp("index") / "corpus.sqlite3"
    subprocess.run([sys.executable, "-m", "citels", "index", "--corpus", str(CORPUS),
                    "--db", str(database)], check=True, capture_output=True, timeout=120)
    return database


@pytest.fixture
def workspace(tmp_path: Path, corpus_index: Path) -> Workspace:
    """A LaTeX project (main.tex, refs.bib with one entry) and a `citels` on PATH for it."""
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / ".git").mkdir()  # the project root, as editors look for it
    main, bib = folder / "main.tex", folder / "refs.bib"
    main.write_text(MAIN_TEX)
    bib.write_text(REFS_BIB)
    database = tmp_path / "corpus.sqlite3"
    shutil.copy(corpus_index, database)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # The editors' snippets start `citels serve`, as a user's would: this `citels` is the
    # checkout's, serving the bundled corpus from the test's own index.
    wrapper = bin_dir / "citels"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m citels "$@" '
                       f'--corpus "{CORPUS}" --db "{database}"\n')
    wrapper.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
           "HOME": str(tmp_path / "home"), "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "cfg"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "CITELS_TEST_DIR": str(folder),
           "CITELS_TEST_TYPED": TYPED, "CITELS_TEST_TITLE": TITLE, "CITELS_TEST_KEY": KEY,
           "CITELS_TEST_REPORT": str(tmp_path / "report.json")}
    # the checkout's citels, also for a child process started from another folder
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "server"),
                                                      os.environ.get("PYTHONPATH")]))
    (tmp_path / "home").mkdir()
    return Workspace(folder, main, bib, bib.read_bytes(), env)


def run_editor(workspace: Workspace, command: list[str], timeout: float = 45,
               terminal: bool = False) -> dict:
    """Run one editor session to its end; its report (JSON written by the editor script)."""
    report_path = Path(workspace.env["CITELS_TEST_REPORT"])
    started = time.monotonic()
    if terminal:
        process = run_in_terminal(command, workspace, timeout)
    else:
        process = subprocess.run(command, env=workspace.env, cwd=workspace.folder,
                                 capture_output=True, text=True, timeout=timeout,
                                 stdin=subprocess.DEVNULL)
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    report["seconds"] = round(time.monotonic() - started, 1)
    report["editor_output"] = (process.stdout or "")[-1500:] + (process.stderr or "")[-1500:]
    return report


def run_in_terminal(command: list[str], workspace: Workspace,
                    timeout: float) -> subprocess.CompletedProcess:
    """Vim needs a terminal to run its event loop (timers, jobs): give it a pseudo-terminal."""
    import pty

    leader, follower = pty.openpty()
    os.set_blocking(leader, False)
    process = subprocess.Popen(command, env={**workspace.env, "TERM": "xterm"},
                               cwd=workspace.folder, stdin=follower, stdout=follower,
                               stderr=follower, start_new_session=True)
    os.close(follower)
    screen = bytearray()
    deadline = time.monotonic() + timeout
    try:
        while process.poll() is None and time.monotonic() < deadline:
            try:
                screen += os.read(leader, 65536)  # drained, or Vim blocks on a full terminal
            except (BlockingIOError, OSError):
                time.sleep(0.02)
        if process.poll() is None:
            process.kill()
            process.wait()
    finally:
        os.close(leader)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen.decode("utf-8", "replace"))
    return subprocess.CompletedProcess(command, process.returncode, text[-3000:], "")


def summary(report: dict) -> dict:
    """The report, short enough for an assertion message."""
    return {**report, "offered": report.get("offered", [])[:3],
            "editor_output": report.get("editor_output", "")[-600:]}


def assert_offered_and_saved(report: dict, editor: str, shown_as: str = TITLE) -> None:
    """The editor and server started, the paper was offered (shown as `shown_as`: its title,
    or its key in a menu that shows only the inserted word) and accepted, all saved, twice."""
    steps = report.get("steps")
    assert steps, f"{editor} wrote no report: {summary(report)}"
    assert "server attached" in steps, f"{editor}: the server never attached: {summary(report)}"
    assert report.get("received"), f"{editor} received no completion items: {summary(report)}"
    assert shown_as in report.get("offered", []), (
        f"{editor} received {report['received']} items for the text "
        f"{report.get('completed_from')!r} but its own filtering offered "
        f"{report.get('offered')}, not '{shown_as}'")
    assert not report.get("error"), f"{editor}: {report['error']} ({summary(report)})"
    for step in ("accepted 1", "saved 1", "accepted 2", "saved 2"):
        assert step in steps, f"{editor} never reached '{step}': {summary(report)}"


def assert_cited_once(workspace: Workspace, report: dict, editor: str) -> None:
    """Both citations read \\cite{key}, and refs.bib gained exactly one entry, appended."""
    lines = workspace.main.read_text().split("\n")
    for line_number in CITE_LINES:
        assert lines[line_number] == f"\\cite{{{KEY}}}", (
            f"{editor}: after accepting '{TITLE}', line {line_number + 1} of main.tex reads "
            f"{lines[line_number]!r}, not '\\cite{{{KEY}}}' (report: {summary(report)})")
    bib = workspace.bib.read_bytes()
    assert bib.startswith(workspace.bib_before), (
        f"{editor}: refs.bib no longer starts with its old bytes:\n{bib.decode()}")
    added = bib[len(workspace.bib_before):].decode()
    entries = re.findall(r"@\w+\{([^,\s]+),", added)
    assert entries, (
        f"{editor}: no entry for {KEY} was appended to refs.bib (the key is in main.tex, "
        f"saved; the server must write the entry when a document newly cites a key) "
        f"(report: {summary(report)})")
    assert entries == [KEY], (
        f"{editor}: refs.bib gained entries {entries}, not exactly one {KEY}:\n{added}")
