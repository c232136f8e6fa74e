"""An entry of the user's library written into a document's bibliography brings the @preamble
definitions it uses, once, and never into a file that has them (issue 17)."""

from __future__ import annotations

from lsp_editor import Editor
from lsprotocol import types

LIBRARY = r"""@preamble{ "\providecommand{\noopsort}[1]{}" }

@book{zeta1981,
  author    = {Knuth, Donald E.},
  title     = {{\noopsort{a}}Zeta Functions},
  publisher = {Addison-Wesley},
  year      = {1981},
}

@book{alpha1984,
  author    = {Knuth, Donald E.},
  title     = {Alpha {\noopsort{b}}Particles},
  publisher = {Addison-Wesley},
  year      = {1984},
}
"""
MINE = "% my own references\n@misc{mine,\n  title = {Mine},\n}\n"


async def add(editor: Editor, uri: str, key: str) -> list[str]:
    result = await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.addEntries", arguments=[uri, [key]]))
    return result["added"]


async def test_the_preamble_comes_with_the_first_entry_that_needs_it(editor: Editor):
    (editor.root / "library").mkdir()
    (editor.root / "library" / "knuth.bib").write_text(LIBRARY, encoding="utf-8")
    refs = editor.root / "refs.bib"
    refs.write_text(MINE, encoding="utf-8")
    await editor.client.workspace_execute_command_async(types.ExecuteCommandParams(
        command="citels.reindex"))  # the library's entries are in the workspace index
    uri = editor.open("paper.tex", "\\cite{zeta1981,alpha1984}\n\\bibliography{refs}\n",
                      "latex")
    assert await add(editor, uri, "zeta1981") == ["zeta1981"]
    assert await add(editor, uri, "alpha1984") == ["alpha1984"]
    text = refs.read_text(encoding="utf-8")
    assert text.startswith(MINE)  # nothing of the user's rewritten
    added = text[len(MINE):]
    assert added.startswith('\n@preamble{ "\\providecommand{\\noopsort}[1]{}" }\n\n@book{zeta1981,')
    assert added.count("@preamble") == 1 and "@book{alpha1984," in added
