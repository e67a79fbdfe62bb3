"""An event as the grouping of sentences finds it, before the model reads its details."""

from __future__ import annotations

from dataclasses import dataclass, field

from summarizer.schema import EventType

__all__ = ["Spot"]


@dataclass
class Spot:
    """An event as grouped: its sentences, type and the day's words."""

    ids: list[int]
    event_type: EventType
    date_text: str
    claims: list[int] = field(default_factory=list)  # sentences that tell who claimed it
