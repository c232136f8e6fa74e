"""The package list in pyproject.toml names every package under server/ (it is written out
by hand because the bundled corpus is mapped in from the top-level corpus/ folder)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from setuptools import find_packages

REPO = Path(__file__).resolve().parents[1]


def test_every_package_is_shipped_with_the_bundled_corpus():
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert set(setuptools["packages"]) == {*find_packages(REPO / "server"),
                                           "citels.bundled_corpus"}
    assert setuptools["package-dir"]["citels.bundled_corpus"] == "corpus"
