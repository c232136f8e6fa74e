#!/usr/bin/env bash
# Install what the VS Code end-to-end test drives, on a machine that reaches only the
# package registries: code-server (VS Code in the browser, from npm), Debian's Chromium, and
# playwright-core. Idempotent; everything goes to $CITELS_TOOLS (default ~/.cache/citels-tools).
set -euo pipefail
TOOLS=${CITELS_TOOLS:-$HOME/.cache/citels-tools}
CODE_SERVER_VERSION=4.100.3   # the last release whose engines allow Node 20
mkdir -p "$TOOLS"
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v rg >/dev/null || need_apt+=(ripgrep)
dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
command -v node >/dev/null || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${need_apt[@]}" >/dev/null
fi

if [ ! -x "$TOOLS/code-server/node_modules/.bin/code-server" ]; then
  export TMPDIR="$TOOLS/tmp"; mkdir -p "$TMPDIR"
  # @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache holds the asset:
  # seed the cache with Debian's rg.
  cache="$TMPDIR/vscode-ripgrep-cache-1.15.11"; mkdir -p "$cache"
  staging=$(mktemp -d); cp "$(command -v rg)" "$staging/rg"
  tar czf "$cache/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz" -C "$staging" rg
  rm -rf "$staging"
  mkdir -p "$TOOLS/code-server"; cd "$TOOLS/code-server"
  [ -f package.json ] || npm init -y >/dev/null
  # As root the postinstall demands unsafe-perm; node-pty's postinstall runs npx node-gyp.
  npm_config_unsafe_perm=true npm_config_yes=true \
    npm install --no-fund --no-audit "code-server@$CODE_SERVER_VERSION" >/dev/null 2>&1
fi

if [ ! -d "$TOOLS/playwright/node_modules/playwright-core" ]; then
  mkdir -p "$TOOLS/playwright"; cd "$TOOLS/playwright"
  [ -f package.json ] || npm init -y >/dev/null
  npm install --no-fund --no-audit playwright-core@1.65.1 >/dev/null 2>&1
fi
echo "$TOOLS"
