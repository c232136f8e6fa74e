#!/usr/bin/env bash
# Install the editors the real-editor tests drive (tests/editors/test_*.py) on a fresh
# Debian 12 machine that reaches only the package registries: Emacs with eglot and lsp-mode,
# and Vim 9 with ALE, all Debian packages (Neovim comes from PyPI with the test extra).
# coc.nvim is not installed: npm's coc.nvim holds only its type definitions, no Vim plugin.
# Idempotent and quiet.
set -euo pipefail
bash "$(dirname "$0")/../install-apt.sh" emacs-nox elpa-eglot elpa-lsp-mode vim vim-ale
