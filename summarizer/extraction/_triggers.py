"""Which sentences may report an event: those with a trigger word (``data/event_triggers.yaml``).

Only these are put to the model, one label each, so a page of background costs nothing
and the model answers a short list of sentence-sized questions instead of scanning the
whole article.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import yaml

from summarizer.extraction._sentences import Sentence

__all__ = ["candidates", "has_trigger"]

_MAX_CANDIDATES = 14


@functools.cache
def _pattern() -> re.Pattern[str]:
    data = yaml.safe_load(
        resources.files("summarizer").joinpath("data/event_triggers.yaml").read_text("utf-8")
    )
    words = [w for language in data.values() for w in language]
    return re.compile(r"(?<!\w)(?:" + "|".join(words) + ")", re.IGNORECASE)


def has_trigger(text: str) -> bool:
    """Whether the text has a word that may report an event."""
    return _pattern().search(text) is not None


def candidates(sentences: list[Sentence]) -> list[Sentence]:
    """The sentences with a trigger word, at most 14 (the first ones: news comes first)."""
    return [s for s in sentences if len(s.text) > 25 and has_trigger(s.text)][:_MAX_CANDIDATES]
