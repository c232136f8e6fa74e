"""What of a paper goes into the full-text indexes, derived the same way to add and to delete.

The indexes are contentless (they keep no copy of the text), so deleting a paper means
giving the index the very words it was added with: both go through `index_text`. A change
to what this module derives needs a schema step that rebuilds the indexes.
"""

from __future__ import annotations

from dataclasses import dataclass

from citels.keys import SKIP_WORDS
from citels.papers import Paper
from citels.text import abstract_aliases, fold_for_search, sentences, title_aliases, words

# Titles longer than this sort with the longest: the order only needs to tell short from long.
LONGEST_TITLE = 255


@dataclass(frozen=True)
class IndexText:
    """A paper's words as the full-text indexes take them."""

    title: str  # folded words of the title (an untitled paper: its opening sentence)
    aliases: str  # other spellings of title words, acronyms, method names from the abstract
    key: str
    words: str  # every significant word of title and abstract, and the key, each once
    title_length: int  # words in the title, so short titles can come first


def title_text(paper: Paper) -> str:
    """The title a writer remembers: the real one, else the abstract's opening sentence."""
    if paper.title:
        return paper.title
    opening = sentences(paper.abstract or "")[:1]
    return opening[0] if opening else ""


def index_text(paper: Paper) -> IndexText:
    """What of a keyed paper goes into the full-text indexes."""
    assert paper.key, "a paper is indexed with its key"
    title = title_text(paper)
    abstract = paper.abstract or ""
    method_names = abstract_aliases(abstract)
    aliases = (title_aliases(paper.title) if paper.title else []) + method_names
    title_words = words(title)
    # The key too: a mistyped key is corrected toward it (the vocabulary is these words).
    every_word = dict.fromkeys(title_words + words(abstract) + method_names + [paper.key.lower()])
    for skipped in SKIP_WORDS.intersection(every_word):
        del every_word[skipped]
    return IndexText(
        title=fold_for_search(title),
        aliases=" ".join(aliases),
        key=paper.key.lower(),
        words=" ".join(every_word),
        title_length=min(len(title_words), LONGEST_TITLE),
    )
