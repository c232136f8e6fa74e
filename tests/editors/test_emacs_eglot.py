"""citels inside real Emacs with eglot (Debian's emacs-nox and elpa-eglot), configured with
editors/emacs/citels-eglot.el exactly as a user pastes it into an init file."""

from __future__ import annotations

import shutil

from editor_session import (
    EDITORS,
    Workspace,
    assert_cited_once,
    assert_offered_and_saved,
    run_editor,
)

HARNESS = EDITORS.parent / "tests" / "editors" / "emacs_cite.el"


def run_emacs(workspace: Workspace, snippet: str, client: str) -> dict:
    """Emacs in batch mode: packages activated as at start-up, the snippet, then the typing."""
    assert shutil.which("emacs"), "no emacs: run tests/run.sh (tests/editors/install-editors.sh)"
    workspace.env["CITELS_TEST_CLIENT"] = client
    return run_editor(workspace, ["emacs", "--batch", "--eval", "(package-activate-all)",
                                  "-l", str(EDITORS / "emacs" / snippet), "-l", str(HARNESS)])


def test_cite_by_title_in_emacs_eglot(workspace: Workspace):
    report = run_emacs(workspace, "citels-eglot.el", "eglot")
    assert_offered_and_saved(report, "Emacs + eglot")
    assert_cited_once(workspace, report, "Emacs + eglot")
