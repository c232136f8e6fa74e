from __future__ import annotations

from conftest import Editor


async def test_cite_by_title_in_latex(editor: Editor):
    text = "\\documentclass{article}\n\\begin{document}\nSee \\citep{mirror desc\n\\bibliography{refs}\n\\end{document}\n"
    uri = editor.open("paper.tex", text, "latex")
    result = await editor.complete(uri, 2, len("See \\citep{mirror desc"))
    print([i.label for i in result.items[:5]])
    assert result.items[0].label == "Mirror Descent Policy Optimization"
    new = await editor.accept(uri, text, result.items[0])
    print(new)
    print((editor.root / "refs.bib").read_text())
    h = await editor.hover(uri, 2, 14)
    print(h)
