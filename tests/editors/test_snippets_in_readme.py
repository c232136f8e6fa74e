"""The README's editor snippets are the files under editors/ that the editor tests load."""

from __future__ import annotations

import pytest
from editor_session import EDITORS

SNIPPETS = ["emacs/citels-eglot.el", "emacs/citels-lsp-mode.el", "vim/citels-ale.vim",
            "vim/citels-vim-lsp.vim", "vim/citels-yegappan-lsp.vim", "nvim/init-omnifunc.lua",
            "coc/coc-settings.json", "helix/languages.toml", "kate/lsp-client-settings.json",
            "sublime/LSP.sublime-settings"]


@pytest.mark.parametrize("snippet", SNIPPETS)
def test_readme_shows_the_snippet_file(snippet: str):
    text = (EDITORS / snippet).read_text().rstrip("\n")
    assert f"\n{text}\n```" in (EDITORS.parent / "README.md").read_text(), snippet
