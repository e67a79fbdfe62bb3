"""The prompt-injection filter: paragraphs of an article addressed to the summarizer."""

from __future__ import annotations

import re

from summarizer.text._memo import MEMO, memoised
from summarizer.text.folding import folded as _folded

__all__ = ["without_instructions"]


# A paragraph that addresses the summarizer (a prompt injection) is data the model saw, but
# never grounds a claim: no toll, number or evidence quote may come from it.
_INSTRUCTION = re.compile(
    r"\b(?=[acdfilosy])(?:(ignore|disregard|forget|override)\b[^.\n]{0,40}\b"
    r"(instructions?|rules|prompt)\b|(summari[sz]er|language model|ai (assistant|model)|"
    r"chatbot|llm)\b|system (notice|prompt|message|instruction)\b|"
    r"your (summary|record|output)\b)",
    re.IGNORECASE,
)


# Each match of _INSTRUCTION contains one of these in _ignorecase.folded text: a cheap test
# that skips the scan for almost every article (tests/test_grounding.py checks it).
_INSTRUCTION_WORDS = (
    "ignore", "disregard", "forget", "override", "summariser", "summarizer",
    "language model", "ai assistant", "ai model", "chatbot", "llm", "system notice",
    "system prompt", "system message", "system instruction", "your summary",
    "your record", "your output",
)  # fmt: skip


def without_instructions(text: str) -> tuple[str, list[str]]:
    """The text without paragraphs addressed to the summarizer, and those paragraphs."""
    kept, dropped = _without_instructions(text)
    return kept, list(dropped)


@memoised(MEMO)
def _without_instructions(text: str) -> tuple[str, tuple[str, ...]]:
    folded = _folded(text)
    if not any(word in folded for word in _INSTRUCTION_WORDS) or not _INSTRUCTION.search(text):
        return "\n".join(text.splitlines()), ()  # the usual case: no line can match
    kept: list[str] = []
    dropped: list[str] = []
    for line in text.splitlines():
        (dropped if _INSTRUCTION.search(line) else kept).append(line)
    return "\n".join(kept), tuple(dropped)
