"""BibTeX field values as people read them: LaTeX turned into text (pylatexenc), nothing lost.

Only what is shown or searched is converted (titles, names, venues, abstracts), and only when
it holds LaTeX at all: most values are plain text, and converting them was most of the time
of reading a large .bib.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pylatexenc.latex2text import LatexNodes2Text

# What makes a value LaTeX rather than text: commands, groups, math, ties, dashes, quotes.
_LATEX_MARKS = re.compile(r"[\\{}$~%&]|--|``|''")


@cache
def _latex_converter() -> LatexNodes2Text:
    # Made when first needed: importing pylatexenc takes 40 ms, which a server starting on
    # an index already built (no .bib to read) need not pay.
    from pylatexenc.latex2text import (
        LatexNodes2Text,
        MacroTextSpec,
        SpecialsTextSpec,
        get_default_latex_context_db,
    )

    context = get_default_latex_context_db()
    # pylatexenc prints the TeX logos as nothing; a title such as "The {\TeX}book" needs them.
    context.add_context_category(
        "citels-logos", prepend=True,
        macros=[MacroTextSpec(name, simplify_repl=name) for name in ("TeX", "LaTeX", "BibTeX")],
        # A bare & in a title (Bell & Howell) is text to BibTeX, not a table's column.
        specials=[SpecialsTextSpec("&", "&")])
    # A macro pylatexenc does not know ({\TUG}, \AmSTeX) is kept by name, or by its
    # arguments (\mbox{x}): a title of one unknown macro must not read as untitled.
    context.set_unknown_macro_spec(MacroTextSpec("", simplify_repl=_unknown_macro))
    return LatexNodes2Text(latex_context=context)


def _unknown_macro(node: Any, l2tobj: Any = None) -> str:
    arguments = [arg for arg in (node.nodeargd.argnlist if node.nodeargd else []) if arg]
    if arguments and l2tobj is not None:
        return "".join(l2tobj.nodelist_to_text([arg]) for arg in arguments)
    return node.macroname


def latex_to_text(value: str) -> str:
    """`The {\\TeX}book` -> 'The TeXbook', `G{\\"o}del` -> 'Gödel', `{\\TUG}` -> 'TUG'."""
    if not _LATEX_MARKS.search(value):
        return " ".join(value.split())
    try:
        text = _latex_converter().latex_to_text(value)
    except Exception:  # pylatexenc gives up on some odd input; the braces-free text still reads
        text = value.replace("{", "").replace("}", "")
    return " ".join(text.split())


def split_names(value: str) -> list[str]:
    """BibTeX's `A and B and C`, split at top-level `and`s only, each name as text."""
    names, depth, start = [], 0, 0
    for match in re.finditer(r"[{}]|\s+and\s+", value, re.IGNORECASE):
        token = match.group()
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
        elif depth == 0:
            names.append(value[start:match.start()])
            start = match.end()
    names.append(value[start:])
    return [latex_to_text(name).strip() for name in names if name.strip()]
