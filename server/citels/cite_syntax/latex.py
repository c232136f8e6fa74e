"""LaTeX citations: natbib and biblatex commands, outside comments and verbatim environments.

One scanner (`code_lines`) reads a document line by line, cutting comments and the content of
verbatim-like environments; the lines it finds no LaTeX in are the document's non-text lines,
and the citation commands on the others are its cited keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

from citels.cite_syntax.lines import cursor_text
from citels.cite_syntax.spans import CiteSpan, KeySpan

LANGUAGE = "latex"
LANGUAGE_IDS = ("latex", "tex", "plaintex", "context")
FILE_SUFFIXES = ("tex", "ltx", "sty", "cls")

# natbib and biblatex citation commands; a trailing * is accepted for all of them.
LATEX_CITE_COMMANDS = frozenset("""
cite Cite nocite citet citep citealt citealp citeauthor Citeauthor citeyear citeyearpar
citetitle Citetitle citedate citeurl citetext fullcite footcite footfullcite footcitetext
parencite Parencite textcite Textcite smartcite Smartcite supercite autocite Autocite
citenum citename
notecite Notecite pnotecite Pnotecite fnotecite
volcite Volcite pvolcite Pvolcite fvolcite ftvolcite svolcite Svolcite tvolcite Tvolcite
avolcite Avolcite
cites Cites parencites Parencites footcites footcitetexts smartcites Smartcites textcites
Textcites supercites autocites Autocites
""".split())

# The text just before an open brace, read backwards: is it a citation command?
_COMMAND_BEFORE_BRACE = re.compile(
    r"""
    \\(?P<name>[A-Za-z]+)            # the command, e.g. \parencite
    (?P<star>\*)?                    # natbib's starred form, \citet*
    (?P<args>                        # what stands between the command and this brace:
      (?: \s* \[ [^\[\]]* \]         #   optional arguments [see][p.~3]
        | \s* \( [^()]* \)           #   multicite global notes (pre)(post)
        | \s* \{ [^{}]* \}           #   earlier key groups of a multicite, or a volume
      )*
    )
    \s*$                             # then only spaces up to the brace
    """,
    re.VERBOSE,
)
_BRACE_GROUP = re.compile(r"\{[^{}]*\}")
_OPTIONAL_ARG = re.compile(r"\[[^\[\]]*\]")

# LaTeX environments whose content is not LaTeX: no citations inside.
_VERBATIM_BEGIN = re.compile(
    r"\\begin\{(?P<env>verbatim\*?|Verbatim|lstlisting|minted|comment|alltt)\}")
# A % that starts a comment: not escaped as \%.
_COMMENT = re.compile(r"(?<!\\)(?:\\\\)*%")
_COMMENT_TO_LINE_END = re.compile(r"(?<!\\)(?:\\\\)*%.*$", re.MULTILINE)


def without_comments(text: str) -> str:
    """A whole LaTeX text with every comment (an unescaped % to the line's end) removed."""
    return _COMMENT_TO_LINE_END.sub("", text)


def code_lines(lines: Sequence[str]) -> Iterator[str | None]:
    """Each line's LaTeX, with comments cut off and verbatim content blanked (columns kept);
    None for a line wholly inside a verbatim-like environment."""
    open_env: str | None = None
    for raw in lines:
        text = raw.rstrip("\r\n")
        resume = 0
        if open_env is not None:
            # Inside verbatim a % is text, so the end is looked for in the raw line.
            closing = f"\\end{{{open_env}}}"
            end = text.find(closing)
            if end < 0:
                yield None
                continue
            resume = end + len(closing)
            open_env = None
        code = " " * resume + text[resume:] if resume else text
        if "%" in code:  # the cheap test first: this runs on every line of every version
            code = _without_comment(code)
        position = resume
        while "\\begin" in code and (match := _VERBATIM_BEGIN.search(code, position)):
            closing = f"\\end{{{match['env']}}}"
            end = code.find(closing, match.end())
            if end < 0:
                open_env = match["env"]
                code = code[:match.start()]
                break
            position = end + len(closing)
            code = code[:match.start()] + " " * (position - match.start()) + code[position:]
        yield code


def non_text_lines(lines: Sequence[str]) -> frozenset[int]:
    """Lines inside verbatim-like environments (verbatim, lstlisting, minted, comment)."""
    return frozenset(number for number, code in enumerate(code_lines(lines)) if code is None)


def cited_keys(lines: Sequence[str], extra_commands: Iterable[str] = ()) -> list[KeySpan]:
    """Every key cited by a citation command in a LaTeX document, in order."""
    extra = set(extra_commands)
    found: list[KeySpan] = []
    for number, code in enumerate(code_lines(lines)):
        if code is not None and "{" in code:
            _add_keys_in_line(found, code, number, extra)
    return found


def _add_keys_in_line(found: list[KeySpan], text: str, number: int, extra: set[str]) -> None:
    for brace in (i for i, c in enumerate(text) if c == "{"):
        command = _COMMAND_BEFORE_BRACE.search(text[:brace])
        if (not command or _is_escaped(text, command.start())
                or (command["name"] not in LATEX_CITE_COMMANDS and command["name"] not in extra)):
            continue
        if command["name"].lower().endswith("volcite") and not _BRACE_GROUP.search(
                command["args"]):
            continue  # \volcite{volume}: its first group is a volume, not keys
        close = text.find("}", brace)
        body_end = close if close >= 0 else len(text)
        position = brace + 1
        for part in text[brace + 1:body_end].split(","):
            key = part.strip()
            if key and "\\" not in key and "{" not in key:
                offset = position + part.index(key)
                found.append(KeySpan(key, number, offset, offset + len(key)))
            position += len(part) + 1


def citation_at(lines: Sequence[str], line: int, column: int,
                extra_commands: Iterable[str] = (),
                non_text: frozenset[int] | None = None) -> CiteSpan | None:
    """The citation command whose key group the cursor is in, or None (see `CitationSyntax`)."""
    cursor = cursor_text(lines, line, column, non_text, non_text_lines)
    if cursor is None:
        return None
    text, column = cursor
    if _COMMENT.search(text[:column]):
        return None
    return _citation_in_line(text, line, column, set(extra_commands))


def _without_comment(text: str) -> str:
    match = _COMMENT.search(text)
    return text[:match.start()] if match else text


def _citation_in_line(text: str, line: int, column: int, extra: set[str]) -> CiteSpan | None:
    before = text[:column]
    brace = _open_brace_before(before)
    if brace is None:
        return None
    command = _COMMAND_BEFORE_BRACE.search(before[:brace])
    if command is None or _is_escaped(before, command.start()):
        return None
    name = command["name"]
    if name not in LATEX_CITE_COMMANDS and name not in extra:
        return None
    args = command["args"]
    groups = _BRACE_GROUP.findall(args)
    is_multicite = name.endswith("cites")
    is_volcite = name.lower().endswith("volcite")
    if groups and not (is_multicite or is_volcite):
        return None  # \cite{a}{ is not a citation; only multicite takes several groups
    if is_volcite and not groups:
        return None  # \volcite{volume}: its first group is a volume, not keys
    if not is_multicite and len(_OPTIONAL_ARG.findall(_BRACE_GROUP.sub("", args))) > 2:
        return None  # at most two optional arguments: [prenote][postnote]
    inside = before[brace + 1:]
    segment_start = brace + 1 + (inside.rfind(",") + 1)
    typed = text[segment_start:column].lstrip()
    start = column - len(typed)
    after = text[column:]
    close = after.find("}")
    rest = after[:close] if close >= 0 else after
    earlier = [k.strip() for k in inside.split(",")[:-1]]
    later = [k.strip() for k in rest.split(",")[1:]]
    keys = tuple(k for k in earlier + later if k)
    key_groups = groups[1:] if is_volcite else groups  # a volcite's first group is a volume
    for group in key_groups:
        keys += tuple(k.strip() for k in group[1:-1].split(",") if k.strip())
    star = command["star"] or ""
    return CiteSpan(LANGUAGE, f"\\{name}{star}", typed, line, start, column, keys)


def _is_escaped(text: str, backslash: int) -> bool:
    """Whether the backslash at this column is itself escaped ("\\\\cite" is not a command)."""
    run = len(text[:backslash]) - len(text[:backslash].rstrip("\\"))
    return run % 2 == 1


def _open_brace_before(before: str) -> int | None:
    """The column of the unclosed '{' the cursor is in, if nothing but key text follows it."""
    for index in range(len(before) - 1, -1, -1):
        char = before[index]
        if char == "{":
            return index
        if char in "}\\[]":
            return None
    return None
