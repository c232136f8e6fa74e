"""citels inside real Vim 9 with ALE (Debian's vim and vim-ale), configured with
editors/vim/citels-ale.vim exactly as a user pastes it into a vimrc; completion through
ALE's omnifunc (<C-x><C-o>)."""

from __future__ import annotations

import shutil

from editor_session import (
    EDITORS,
    KEY,
    Workspace,
    assert_cited_once,
    assert_offered_and_saved,
    run_editor,
)

HARNESS = EDITORS.parent / "tests" / "editors" / "vim_cite.vim"


def test_cite_by_title_in_vim_ale(workspace: Workspace):
    assert shutil.which("vim"), "no vim: run tests/run.sh (tests/editors/install-editors.sh)"
    # ALE completes only the word before the cursor (`[a-zA-Z$_][a-zA-Z$_0-9]*$`), ignores
    # the item's textEdit and command, and drops items whose text does not start with that
    # word: a two-word query cannot work there (README, Vim + ALE). One word, a key prefix.
    workspace.env["CITELS_TEST_TYPED"] = "mirror"
    report = run_editor(workspace, [
        "vim", "-N", "-i", "NONE", "-n",
        "--cmd", "packadd! ale",  # Debian's vim-ale is an optional package
        "-u", str(EDITORS / "vim" / "citels-ale.vim"), "-S", str(HARNESS), "main.tex"],
        terminal=True)
    # ALE's menu shows the inserted word (the key) and the item's detail, never its label.
    assert_offered_and_saved(report, "Vim + ALE", shown_as=KEY)
    assert_cited_once(workspace, report, "Vim + ALE")
