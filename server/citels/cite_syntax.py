"""Where the cursor is in citation syntax: LaTeX citation commands and Pandoc's `@key`.

Everything here works on plain strings (a document's lines, a 0-based line and a column in
Python characters), so it is tested on its own with a large table; the protocol layer converts
LSP positions (UTF-16) before calling in.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

LATEX = "latex"
MARKDOWN = "markdown"
BIBTEX = "bibtex"

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
_LATEX_COMMAND_BEFORE_BRACE = re.compile(
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
_LATEX_COMMENT = re.compile(r"(?<!\\)(?:\\\\)*%")

# Pandoc citation keys: start with a letter, digit or _, and may hold internal punctuation.
_PANDOC_KEY_CHARS = r"[\w:.#$%&+?<>~/-]"
# What may stand just before a Pandoc '@': not a letter or digit (that is an e-mail address).
_PANDOC_AT_ALLOWED_AFTER = re.compile(r"(?:^|[\s\[;(])-?$")
_FENCE = re.compile(r"^\s{0,3}(?P<fence>`{3,}|~{3,})")
_BIB_ENTRY_KEY = re.compile(r"@(?P<type>[A-Za-z]+)\s*[{(]\s*(?P<key>[^\s,{}()]+)\s*,")
# Cross-references are not citations: pandoc-crossref's @fig:x, Quarto's @fig-x.
CROSSREF_PREFIXES = tuple(
    kind + mark
    for kind in ("fig", "sec", "tbl", "eq", "lst", "thm", "lem", "cor", "prp", "cnj", "def",
                 "exm", "exr", "apx")
    for mark in (":", "-"))


@dataclass(frozen=True)
class CiteSpan:
    """A citation the cursor is in, and the text typed at the cursor."""

    language: str
    command: str  # "\\citep", or "@" for Pandoc
    typed: str  # what the writer typed for this key so far (a search, not a key prefix)
    line: int
    start: int  # column where the typed text starts: the completion replaces start..end
    end: int
    keys: tuple[str, ...] = field(default=())  # other keys already in the same citation
    needs_at: bool = False  # Pandoc after ';' with no '@' yet: insert "@key"


@dataclass(frozen=True)
class KeySpan:
    """A citation key written in a document, and where."""

    key: str
    line: int
    start: int
    end: int


def language_of(language_id: str | None, path: str) -> str | None:
    """The citation syntax a document uses, from its language id or its file ending."""
    ids = {"latex": LATEX, "tex": LATEX, "plaintex": LATEX, "context": LATEX,
           "markdown": MARKDOWN, "quarto": MARKDOWN, "rmd": MARKDOWN, "rmarkdown": MARKDOWN,
           "pandoc": MARKDOWN, "bibtex": BIBTEX, "bib": BIBTEX, "biblatex": BIBTEX}
    if language_id and language_id.lower() in ids:
        return ids[language_id.lower()]
    suffix = path.rsplit(".", 1)[-1].lower() if "." in path else ""
    return {"tex": LATEX, "ltx": LATEX, "sty": LATEX, "cls": LATEX, "md": MARKDOWN,
            "markdown": MARKDOWN, "qmd": MARKDOWN, "rmd": MARKDOWN, "bib": BIBTEX,
            "biblatex": BIBTEX}.get(suffix)


def citation_at(lines: Sequence[str], line: int, column: int, language: str,
                extra_commands: Iterable[str] = (),
                non_text: frozenset[int] | None = None) -> CiteSpan | None:
    """The citation whose key the cursor is typing, or None where no citation can be.

    `non_text` is `non_text_lines(lines, language)`, passed in by callers that keep it per
    document version so a keystroke does not rescan a long document.
    """
    if not 0 <= line < len(lines):
        return None
    if non_text is None:
        non_text = non_text_lines(lines[:line + 1], language)
    if line in non_text:
        return None
    text = lines[line].rstrip("\r\n")
    column = max(0, min(column, len(text)))
    if language == LATEX:
        if _LATEX_COMMENT.search(text[:column]):
            return None
        return _latex_citation_at(text, line, column, set(extra_commands))
    if language == MARKDOWN:
        if text[:column].count("`") % 2 == 1:
            return None  # an odd number of backticks before the cursor: in a code span
        return _pandoc_citation_at(text, line, column)
    return None


def non_text_lines(lines: Sequence[str], language: str) -> frozenset[int]:
    """Lines where no citation can be: inside LaTeX verbatim-like environments; Markdown
    fenced code (fences included) and YAML front matter."""
    if language == LATEX:
        return _latex_verbatim_lines(lines)
    if language == MARKDOWN:
        return _markdown_code_lines(lines)
    return frozenset()


# --- LaTeX ----------------------------------------------------------------------------------


def _latex_verbatim_lines(lines: Sequence[str]) -> frozenset[int]:
    """Lines after a \\begin{verbatim} (or lstlisting, minted, comment) up to its \\end."""
    inside: set[int] = set()
    open_env = None
    for number, text in enumerate(lines):
        if open_env is not None:
            if f"\\end{{{open_env}}}" in text:
                open_env = None
            else:
                inside.add(number)
            continue
        code = _strip_latex_comment(text)
        if match := _VERBATIM_BEGIN.search(code):
            if f"\\end{{{match['env']}}}" not in code[match.end():]:
                open_env = match["env"]
    return frozenset(inside)


def _strip_latex_comment(text: str) -> str:
    match = _LATEX_COMMENT.search(text)
    return text[:match.start()] if match else text


def _latex_citation_at(text: str, line: int, column: int, extra: set[str]) -> CiteSpan | None:
    before = text[:column]
    brace = _open_brace_before(before)
    if brace is None:
        return None
    command = _LATEX_COMMAND_BEFORE_BRACE.search(before[:brace])
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
    typed_raw = text[segment_start:column]
    typed = typed_raw.lstrip()
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
    return CiteSpan(LATEX, f"\\{name}{star}", typed, line, start, column, keys)


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


def latex_keys(lines: Sequence[str], extra_commands: Iterable[str] = ()) -> list[KeySpan]:
    """Every key cited by a citation command in a LaTeX document, in order."""
    extra = set(extra_commands)
    found: list[KeySpan] = []
    open_env = None
    for number, raw in enumerate(lines):
        text = _strip_latex_comment(raw.rstrip("\r\n"))
        if open_env is not None:
            if f"\\end{{{open_env}}}" in text:
                open_env = None
            continue
        if match := _VERBATIM_BEGIN.search(text):
            open_env = match["env"]
            text = text[:match.start()]
        for brace in (i for i, c in enumerate(text) if c == "{"):
            command = _LATEX_COMMAND_BEFORE_BRACE.search(text[:brace])
            if (not command or _is_escaped(text, command.start())
                    or (command["name"] not in LATEX_CITE_COMMANDS
                        and command["name"] not in extra)):
                continue
            if command["name"].lower().endswith("volcite") and not _BRACE_GROUP.search(
                    command["args"]):
                continue
            close = text.find("}", brace)
            body_end = close if close >= 0 else len(text)
            position = brace + 1
            for part in text[brace + 1:body_end].split(","):
                key = part.strip()
                if key and "\\" not in key and "{" not in key:
                    offset = position + part.index(key)
                    found.append(KeySpan(key, number, offset, offset + len(key)))
                position += len(part) + 1
    return found


# --- Pandoc Markdown ------------------------------------------------------------------------


def _markdown_code_lines(lines: Sequence[str]) -> frozenset[int]:
    """Fenced code blocks (with their fences) and the YAML front matter."""
    inside = set(range(_front_matter_end(lines) + 1))
    fence = None
    for number, text in enumerate(lines):
        match = _FENCE.match(text)
        if match:
            marker = match["fence"]
            inside.add(number)
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
        elif fence is not None:
            inside.add(number)
    return frozenset(inside)


def _pandoc_citation_at(text: str, line: int, column: int) -> CiteSpan | None:
    before = text[:column]
    bracket = _open_bracket_before(before)
    if bracket is not None:
        span = _in_bracket_citation(text, line, column, bracket)
        if span is not None:
            return span
    return _in_text_citation(text, line, column)


def _open_bracket_before(before: str) -> int | None:
    depth = 0
    for index in range(len(before) - 1, -1, -1):
        if before[index] == "]":
            depth += 1
        elif before[index] == "[":
            if depth == 0:
                return index
            depth -= 1
    return None


def _in_bracket_citation(text: str, line: int, column: int, bracket: int) -> CiteSpan | None:
    """`[see @a, pp. 33-35; @b]`: the cursor types a key (spaces allowed) after an '@'."""
    inside = text[bracket + 1:column]
    segment_offset = bracket + 1 + inside.rfind(";") + 1
    segment = text[segment_offset:column]
    after = text[column:]
    close = after.find("]")
    after = after[:close] if close >= 0 else after
    # Keys of the other citations in the brackets: before this segment, and after the next ';'.
    others = text[bracket + 1:segment_offset] + after[after.find(";"):] if ";" in after else (
        text[bracket + 1:segment_offset])
    keys = tuple(re.findall(rf"@\{{?({_PANDOC_KEY_CHARS}+)", others))
    at = segment.rfind("@")
    if at < 0:
        # After a ';' with nothing typed yet: offer keys, inserting "@key".
        if segment_offset > bracket + 1 and not segment.strip() and "@" in inside:
            return CiteSpan(MARKDOWN, "@", "", line, column, column, keys, needs_at=True)
        return None
    if not _PANDOC_AT_ALLOWED_AFTER.search(segment[:at]):
        return None
    start = segment_offset + at + 1
    if text[start:start + 1] == "{":
        start += 1
    typed = text[start:column]
    if "," in typed or "}" in typed or typed.startswith(CROSSREF_PREFIXES):
        return None  # past the key: a locator such as ", pp. 33-35"
    return CiteSpan(MARKDOWN, "@", typed, line, start, column, keys)


def _in_text_citation(text: str, line: int, column: int) -> CiteSpan | None:
    """`@key` in running text (or `@{key with spaces}`): the key ends at a space."""
    before = text[:column]
    braced = re.search(r"@\{([^{}]*)$", before)
    if braced:
        at = braced.start()
        typed, start = braced[1], braced.start(1)
    else:
        plain = re.search(rf"@({_PANDOC_KEY_CHARS}*)$", before)
        if not plain:
            return None
        at = plain.start()
        typed, start = plain[1], plain.start(1)
    if not _PANDOC_AT_ALLOWED_AFTER.search(before[:at]) or typed.startswith(CROSSREF_PREFIXES):
        return None
    return CiteSpan(MARKDOWN, "@", typed, line, start, column)


def pandoc_keys(lines: Sequence[str]) -> list[KeySpan]:
    """Every `@key` citation in a Markdown document, outside code and front matter."""
    found: list[KeySpan] = []
    fence = None
    front_matter_end = _front_matter_end(lines)
    for number, raw in enumerate(lines):
        if number <= front_matter_end:
            continue
        text = raw.rstrip("\r\n")
        if match := _FENCE.match(text):
            marker = match["fence"]
            if fence is None:
                fence = marker
            elif marker[0] == fence[0] and len(marker) >= len(fence):
                fence = None
            continue
        if fence is not None:
            continue
        code_free = re.sub(r"`[^`]*`", lambda m: " " * len(m.group()), text)
        for match in re.finditer(rf"@\{{?(?P<key>\w{_PANDOC_KEY_CHARS}*)", code_free):
            key = match["key"].rstrip(".:?")  # sentence punctuation after an in-text key
            if not _PANDOC_AT_ALLOWED_AFTER.search(code_free[:match.start()]):
                continue
            if key.startswith(CROSSREF_PREFIXES):
                continue
            found.append(KeySpan(key, number, match.start("key"), match.start("key") + len(key)))
    return found


def _front_matter_end(lines: Sequence[str]) -> int:
    if not lines or lines[0].rstrip() != "---":
        return -1
    for number in range(1, len(lines)):
        if lines[number].rstrip() in ("---", "..."):
            return number
    return len(lines)


# --- BibTeX ---------------------------------------------------------------------------------


def bib_entry_keys(lines: Sequence[str]) -> list[KeySpan]:
    """The key of every entry in a .bib file (found even in entries a parser would reject)."""
    found = []
    for number, raw in enumerate(lines):
        for match in _BIB_ENTRY_KEY.finditer(raw):
            if match["type"].lower() in ("comment", "string", "preamble"):
                continue
            found.append(KeySpan(match["key"], number, match.start("key"), match.end("key")))
    return found


def entry_end_line(lines: Sequence[str], start_line: int) -> int:
    """The line of the brace (or parenthesis) that closes the entry starting on `start_line`;
    the last line of the file when it never closes."""
    depth = 0
    opened = False
    for number in range(start_line, len(lines)):
        text = lines[number] if number > start_line else lines[number][lines[number].find("@"):]
        for char in text:
            if char in "{(":
                depth += 1
                opened = True
            elif char in "})":
                depth -= 1
                if opened and depth == 0:
                    return number
    return len(lines) - 1


def cited_keys(lines: Sequence[str], language: str,
               extra_commands: Iterable[str] = ()) -> list[KeySpan]:
    if language == LATEX:
        return latex_keys(lines, extra_commands)
    if language == MARKDOWN:
        return pandoc_keys(lines)
    if language == BIBTEX:
        return bib_entry_keys(lines)
    return []


def key_at(lines: Sequence[str], line: int, column: int, language: str,
           extra_commands: Iterable[str] = ()) -> KeySpan | None:
    """The cited key (or .bib entry key) under the cursor."""
    if not 0 <= line < len(lines):
        return None
    for span in cited_keys(lines[: line + 1], language, extra_commands):
        if span.line == line and span.start <= column <= span.end:
            return span
    return None
