"""citels inside real Neovim 0.11 configured with nothing but `vim.lsp.enable('citels')`
(editors/nvim/init-omnifunc.lua, as pasted into init.lua) and the built-in omnifunc."""

from __future__ import annotations

from editor_session import (
    EDITORS,
    Workspace,
    assert_cited_once,
    assert_offered_and_saved,
    run_editor,
)
from test_neovim import nvim_binary

HARNESS = EDITORS.parent / "tests" / "editors" / "nvim_omnifunc.lua"


def test_cite_by_title_in_neovim_omnifunc(workspace: Workspace):
    report = run_editor(workspace, [
        nvim_binary(), "--headless", "--clean",
        "--cmd", f"set rtp^={EDITORS / 'nvim'}",  # the plugin, as a plugin manager puts it
        "-u", str(EDITORS / "nvim" / "init-omnifunc.lua"), "-S", str(HARNESS)])
    assert_offered_and_saved(report, "Neovim omnifunc")
    assert_cited_once(workspace, report, "Neovim omnifunc")
