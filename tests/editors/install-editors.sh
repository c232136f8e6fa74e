#!/usr/bin/env bash
# Install the editors the real-editor tests drive (tests/editors/test_*.py), on a fresh
# Debian 12 machine that reaches only the package registries: Emacs with eglot and lsp-mode,
# Vim 9 with ALE (Debian), and coc.nvim (npm, into $CITELS_TOOLS, default
# ~/.cache/citels-tools). Idempotent and quiet; prints the tools folder.
set -euo pipefail
here=$(dirname "$0")
TOOLS=${CITELS_TOOLS:-$HOME/.cache/citels-tools}
COC_VERSION=0.0.82   # the coc.nvim release on npm (its built bundle, build/index.js)

packages=(emacs-nox elpa-eglot elpa-lsp-mode vim vim-ale)
command -v node >/dev/null || packages+=(nodejs npm)   # coc.nvim runs on node
bash "$here/../install-apt.sh" "${packages[@]}"

coc="$TOOLS/coc.nvim"
if [ "$(cat "$coc/installed-version" 2>/dev/null)" != "$COC_VERSION" ]; then
  mkdir -p "$coc"
  (cd "$coc" && { [ -f package.json ] || npm init -y >/dev/null; } \
     && npm install --no-fund --no-audit --loglevel=error "coc.nvim@$COC_VERSION" >/dev/null)
  echo "$COC_VERSION" > "$coc/installed-version"
fi
echo "$TOOLS"
