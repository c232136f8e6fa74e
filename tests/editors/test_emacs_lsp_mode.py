"""citels inside real Emacs with lsp-mode (Debian's emacs-nox and elpa-lsp-mode), configured
with editors/emacs/citels-lsp-mode.el exactly as a user pastes it into an init file."""

from __future__ import annotations

from editor_session import Workspace, assert_cited_once, assert_offered_and_saved
from test_emacs_eglot import run_emacs


def test_cite_by_title_in_emacs_lsp_mode(workspace: Workspace):
    report = run_emacs(workspace, "citels-lsp-mode.el", "lsp-mode")
    assert_offered_and_saved(report, "Emacs + lsp-mode")
    assert_cited_once(workspace, report, "Emacs + lsp-mode")
