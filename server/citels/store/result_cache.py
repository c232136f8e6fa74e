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
    """The last `kept` answers, by question, for one version of the index."""

    def __init__(self, version: Callable[[], Hashable], kept: int = KEPT) -> None:
        self._version = version
        self._kept = kept
        self._seen: Hashable = None
        self._answers: OrderedDict[Hashable, object] = OrderedDict()

    def get(self, question: Hashable, answer: Callable[[], T]) -> T:
        """The kept answer to `question`, else `answer()` (then kept)."""
        found = self.get_many([question], lambda missing: [answer()])
        return found[question]  # type: ignore[return-value]

    def get_many(self, questions: list[Hashable],
                 answer: Callable[[list[Hashable]], list[T]]) -> dict[Hashable, T]:
        """The answers to `questions`: those kept, and for the others `answer(others)`
        (one answer per question, in their order; then kept)."""
        version = self._version()
        if version != self._seen:
            self._answers.clear()
            self._seen = version
        found: dict[Hashable, T] = {}
        missing = []
        for question in questions:
            if question in self._answers:
                self._answers.move_to_end(question)
                found[question] = self._answers[question]  # type: ignore[assignment]
            else:
                missing.append(question)
        if missing:
            for question, result in zip(missing, answer(missing), strict=True):
                found[question] = self._answers[question] = result
            while len(self._answers) > self._kept:
                self._answers.popitem(last=False)
        return found
