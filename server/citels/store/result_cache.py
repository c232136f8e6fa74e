"""Answers to the ranker's read queries, kept while the index is unchanged.

Typing a query a character at a time asks the same questions again and again: the words
typed before the last one have the same frequencies, and the searches that leave the last
word out find the same papers, at every keystroke. At a million papers some of these cost
milliseconds each (a common word's papers counted, an abstract search of several common
words), so their answers are kept until the index changes: another connection's commit or
one of this connection's own writes (`Database.data_version`).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
KEPT = 512  # answers kept: a few queries' worth of keystrokes


class ResultCache:
    """The last KEPT answers, by question, for one version of the index."""

    def __init__(self, version: Callable[[], Hashable]) -> None:
        self._version = version
        self._seen: Hashable = None
        self._answers: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, question: Hashable, answer: Callable[[], T]) -> T:
        """The kept answer to `question`, else `answer()` (then kept)."""
        version = self._version()
        if version != self._seen:
            self._answers.clear()
            self._seen = version
        if question in self._answers:
            self._answers.move_to_end(question)
            return self._answers[question]  # type: ignore[return-value]
        result = answer()
        self._answers[question] = result
        if len(self._answers) > KEPT:
            self._answers.popitem(last=False)
        return result
