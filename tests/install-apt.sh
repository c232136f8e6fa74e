#!/usr/bin/env bash
# Install the named Debian packages that are not installed yet, quietly; nothing when all are.
# Asks dpkg about each package (a command being on PATH says nothing about, say, the LaTeX
# packages of texlive-latex-recommended). Needs root, or sudo.
set -euo pipefail
missing=()
for package in "$@"; do
  # "install ok installed", not just known to dpkg (a removed package keeps a status too)
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing ${missing[*]}" >&2
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
log=$(mktemp)
# apt's chatter (debconf notes) only when something failed
if ! { $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq \
       --no-install-recommends -o DPkg::Lock::Timeout=600 "${missing[@]}"; } >"$log" 2>&1; then
  cat "$log" >&2; rm -f "$log"; exit 1
fi
rm -f "$log"
