"""Sentences of a text, as the grounding checks see them.

(:mod:`summarizer.text.chunking` cuts an article for the model with a rule of its own:
closing brackets stay with the sentence and a line break alone does not end one.)
"""

from __future__ import annotations

import re

from summarizer.text._memo import MEMO, memoised

__all__ = ["sentences"]


# A sentence ends at . ! or ? (kept, with a closing quote mark dropped) before white
# space, or at a line break: [.!?]["”’']?\s+|\n+ written to open with one character
# set (the look-behinds then tell the two cases apart), which lets the regex engine skip
# ahead to candidate characters; the plain alternation tried both cases at every
# position (3 times slower; tests/test_grounding.py compares the two).
_SENTENCE_END = re.compile(r"[.!?\n](?:(?<=[.!?])[\"”’']?\s+|(?<=\n)\n*)")


def _sentences(text: str) -> list[str]:
    return list(_sentences_of(text))


@memoised(MEMO)
def _sentences_of(text: str) -> tuple[str, ...]:
    sentences: list[str] = []
    start = 0
    for end in _SENTENCE_END.finditer(text):
        cut = end.start() + 1 if text[end.start()] in ".!?" else end.start()
        sentences.append(text[start:cut])
        start = end.end()
    sentences.append(text[start:])
    return tuple(s for s in sentences if s.strip())


sentences = _sentences
