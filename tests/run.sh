#!/usr/bin/env bash
# Set up everything the test suite needs on a fresh machine, then run it.
# Needs root (or sudo) for the Debian packages of the real toolchains the tests drive.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(texlive-latex-base texlive-latex-recommended texlive-bibtex-extra biber pandoc
              poppler-utils emacs-nox)
missing=()
for tool in pdflatex bibtex biber pandoc pdftotext; do
  command -v "$tool" >/dev/null || missing+=("$tool")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing the TeX toolchain, biber, pandoc and poppler (missing: ${missing[*]})" >&2
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    -o DPkg::Lock::Timeout=600 "${APT_PACKAGES[@]}" >/dev/null
fi

# VS Code (code-server), Chromium and playwright-core for the editor tests (~2 min the first time).
bash editors/vscode/install-test-tools.sh >/dev/null

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -e '.[test]'
python3 -m pytest "$@"
