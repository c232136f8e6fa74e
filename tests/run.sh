#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run it.
# Needs root (or sudo) for the Debian packages of the real toolchains the tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."

# The TeX toolchain, biber, pandoc and poppler, asked of dpkg package by package: a machine
# with pdflatex but without texlive-latex-recommended has the command and not biblatex.
bash tests/install-apt.sh texlive-latex-base texlive-latex-recommended texlive-bibtex-extra \
  biber pandoc poppler-utils

# Emacs (eglot, lsp-mode) and Vim 9 (ALE) for the real-editor tests.
bash tests/editors/install-editors.sh >/dev/null

# VS Code (code-server), Chromium and playwright-core for the editor tests (~2 min the first time).
bash editors/vscode/install-test-tools.sh >/dev/null

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e '.[test]'
python3 -m pytest "$@"
