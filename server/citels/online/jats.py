"""Crossref abstracts are JATS XML (`<jats:p>`, `<jats:italic>`, MathML): their readable
text, with paragraphs and section titles kept apart and a leading "Abstract" heading left
out. An HTML parser reads it: the fragments carry namespace prefixes without declaring
them, which an XML parser refuses."""

from __future__ import annotations

from html.parser import HTMLParser

_BLOCKS = frozenset({"p", "sec", "title", "list-item", "list", "disp-formula", "label"})
_HEADINGS = frozenset({"abstract", "summary", "graphical abstract"})


class _JatsText(HTMLParser):
    """Collects text, a break between blocks; section titles end with a colon."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.title: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        name = tag.rpartition(":")[2]
        if name == "title":
            self.title = []
        elif name in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        name = tag.rpartition(":")[2]
        if name == "title" and self.title is not None:
            heading = " ".join("".join(self.title).split())
            if heading and heading.lower().rstrip(".:") not in _HEADINGS:
                self.parts.append("\n" + heading.rstrip(".:") + ": ")
            self.title = None
        elif name in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        (self.title if self.title is not None else self.parts).append(data)


def jats_text(markup: str) -> str:
    """The abstract as plain text: one paragraph a line, spaces tidied."""
    parser = _JatsText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:  # the parser is lenient; whatever it still refuses is kept as text
        return " ".join(markup.split())
    paragraphs = ("".join(parser.parts)).split("\n")
    return "\n".join(" ".join(p.split()) for p in paragraphs if p.strip())
