"""Packaging: the package list in pyproject.toml names every package under server/ (it is
written out by hand because the bundled corpus is mapped in from the top-level corpus/
folder), and a non-editable install finds its packaged corpus."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from setuptools import find_packages

REPO = Path(__file__).resolve().parents[1]


def test_every_package_is_shipped_with_the_bundled_corpus():
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(setuptools["packages"]) == {*find_packages(REPO / "server"),
                                           "citels.bundled_corpus"}
    assert setuptools["package-dir"]["citels.bundled_corpus"] == "corpus"


def test_an_installed_citels_indexes_its_packaged_corpus(tmp_path: Path):
    """`pip install .` (not editable) into a fresh venv gives a `citels` that finds the corpus
    inside the package, whatever folder it runs in: 400 papers. The venv sees the test
    machine's packages (no download of the dependencies); pip fetches only the build backend."""
    source = tmp_path / "source"  # a clean copy: a stale build/ folder must not leak in
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", "build")
    for name in ("server", "corpus"):
        shutil.copytree(REPO / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, source / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True, timeout=120)
    installed = subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-deps",
                                str(source)], capture_output=True, text=True, timeout=240)
    assert installed.returncode == 0, installed.stderr[-2000:]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    citels = str(venv / "bin" / "citels")

    def run(*args: str) -> str:
        done = subprocess.run([citels, *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    doctor = run("doctor")
    assert f"{venv}/lib/python3" in doctor and "bundled_corpus" in doctor
    run("index")
    assert run("stats").startswith("400 papers")
    assert run("search", "mirror", "descent", "--limit", "1").startswith(
        "mirrorDescentPolicy2020")
