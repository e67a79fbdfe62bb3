"""Slack Block Kit building blocks: the limits, :class:`SlackMessage`, mrkdwn escaping
and splitting, and the packing of blocks into messages that respect Slack's limits
(further messages as "part 2 of 3" thread replies). Public through
:mod:`summarizer.slack.render`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from summarizer.errors import redact_url

__all__ = [
    "MAX_BLOCKS",
    "MAX_CONTEXT_ELEMENTS",
    "MAX_FALLBACK_TEXT",
    "MAX_HEADER_TEXT",
    "MAX_SECTION_TEXT",
    "MESSAGE_BUDGET",
    "SlackMessage",
    "Unit",
    "contexts",
    "esc",
    "finish",
    "header",
    "link",
    "pack",
    "sections",
]

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
MAX_FALLBACK_TEXT = 40_000
MESSAGE_BUDGET = 10_000
_CONTEXT_ELEMENT_TEXT = 2000
_RESERVED_CHARS = 1200  # the part label, the fallback text and the JSON envelope
_RESERVED_BLOCKS = 2  # the part label and a repeated group heading


@dataclass(frozen=True)
class SlackMessage:
    """One Slack message: the fallback text, the blocks and the articles it shows."""

    text: str
    blocks: tuple[dict[str, Any], ...]
    article_ids: tuple[str, ...] = ()

    def payload(self) -> dict[str, Any]:
        """The ``text`` and ``blocks`` arguments of chat.postMessage / chat.update."""
        return {"text": self.text, "blocks": list(self.blocks)}

    @property
    def size(self) -> int:
        """Characters of the payload as compact JSON."""
        return _json_size(self.payload())


def _json_size(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))


# --- mrkdwn -------------------------------------------------------------------------------------


def esc(text: str) -> str:
    """Escape Slack's control characters in user text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str | None, label: str) -> str:
    label = esc(" ".join(label.split())).replace("|", "/")
    if not url:
        return label
    safe = (
        redact_url(url)
        .replace("&", "&amp;")
        .replace("<", "%3C")
        .replace(">", "%3E")
        .replace("|", "%7C")
    )
    return f"<{safe.replace(' ', '%20')}|{label}>"


def _split(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` characters, cut at a line end, else a space."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut])
        rest = rest[cut:].lstrip("\n ") if rest[cut : cut + 1] in ("\n", " ") else rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def sections(text: str) -> list[dict[str, Any]]:
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": piece}}
        for piece in _split(text, MAX_SECTION_TEXT)
    ]


def contexts(parts: Sequence[str], *, separator: str = " · ") -> list[dict[str, Any]]:
    """Context blocks holding ``parts`` joined, within the per-element and per-block caps."""
    elements: list[str] = []
    current = ""
    for part in parts:
        for piece in _split(part, _CONTEXT_ELEMENT_TEXT):
            joined = f"{current}{separator}{piece}" if current else piece
            if len(joined) <= _CONTEXT_ELEMENT_TEXT:
                current = joined
            else:
                elements.append(current)
                current = piece
    if current:
        elements.append(current)
    return [
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": text}
                for text in elements[start : start + MAX_CONTEXT_ELEMENTS]
            ],
        }
        for start in range(0, len(elements), MAX_CONTEXT_ELEMENTS)
    ]


def header(text: str) -> dict[str, Any]:
    """A header block; a longer title is shortened here and given whole in the next block."""
    text = " ".join(text.split())
    if len(text) > MAX_HEADER_TEXT:
        text = text[: MAX_HEADER_TEXT - 1].rstrip() + "…"
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


# --- packing blocks into messages ---------------------------------------------------------------


@dataclass
class Unit:
    """Blocks that should stay in one message, and what they show."""

    blocks: list[dict[str, Any]]
    article_ids: tuple[str, ...] = ()
    group: str | None = None
    heading: bool = False


@dataclass
class _Draft:
    blocks: list[dict[str, Any]] = field(default_factory=list)
    size: int = 2
    article_ids: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def fits(self, blocks: list[dict[str, Any]]) -> bool:
        extra = sum(_json_size(b) + 1 for b in blocks)
        return (
            len(self.blocks) + len(blocks) <= MAX_BLOCKS - _RESERVED_BLOCKS
            and self.size + extra <= MESSAGE_BUDGET - _RESERVED_CHARS
        )

    def add(self, blocks: list[dict[str, Any]]) -> None:
        self.blocks += blocks
        self.size += sum(_json_size(b) + 1 for b in blocks)


def pack(units: list[Unit], continued: dict[str, list[dict[str, Any]]]) -> list[_Draft]:
    """Fill messages in order; a unit that does not fit starts the next message."""
    drafts = [_Draft()]
    for unit in units:
        draft = drafts[-1]
        if not draft.fits(unit.blocks):
            draft = _Draft()
            drafts.append(draft)
            if unit.group is not None and not unit.heading:
                draft.add(continued[unit.group])
        if draft.fits(unit.blocks):
            draft.add(unit.blocks)
        else:  # larger than a whole message: its blocks go one by one
            for block in unit.blocks:
                if not draft.fits([block]):
                    draft = _Draft()
                    drafts.append(draft)
                draft.add([block])
        draft.article_ids += [a for a in unit.article_ids if a not in draft.article_ids]
        if unit.group is not None and unit.group not in draft.groups:
            draft.groups.append(unit.group)
    return [d for d in drafts if d.blocks]


def finish(
    drafts: list[_Draft], *, title: str, first_text: str, reply_word: str = "part"
) -> list[SlackMessage]:
    """Label the parts and set every message's fallback text."""
    total = len(drafts)
    messages = []
    for number, draft in enumerate(drafts, start=1):
        blocks = list(draft.blocks)
        if number == 1:
            text = first_text
            if total > 1:
                more = total - 1
                blocks.append(
                    contexts([f"Continued in the thread: {more} more {reply_word}(s)."])[0]
                )
                text += f" Continued in the thread ({more} more {reply_word}(s))."
        else:
            label = f"{reply_word.capitalize()} {number} of {total} · {esc(title)}"
            blocks.insert(0, contexts([label])[0])
            text = f"{title} ({reply_word} {number}/{total})"
            if draft.groups:
                text += ": " + "; ".join(draft.groups)
        messages.append(
            SlackMessage(text[:MAX_FALLBACK_TEXT], tuple(blocks), tuple(draft.article_ids))
        )
    return messages
