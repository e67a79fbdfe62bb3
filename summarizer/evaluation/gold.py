"""Gold annotations: the YAML files of ``tests/fixtures/gold/`` as typed, validated models.

The format is described in ``tests/fixtures/README.md``; every key is checked (unknown
keys are errors, so a typo in the gold cannot silently disable a check). Lists of
accepted values are tuples; a single scalar where a list is expected is accepted as a
one-element list. A malformed file raises :class:`~summarizer.errors.InputError` naming
the file and the offending key.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from summarizer.errors import InputError
from summarizer.schema import ActorType, EventType, SubEventType, parent_event_type

__all__ = [
    "GoldArticle",
    "GoldEvent",
    "GoldLocation",
    "GoldSummary",
    "load_gold",
    "load_gold_dir",
]


class _Gold(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _as_tuple(value: Any) -> Any:
    """A scalar where a list is expected becomes a one-element list; None an empty one."""
    if value is None:
        return ()
    if isinstance(value, list | tuple):
        return tuple(value)
    return (value,)


class GoldLocation(_Gold):
    """Accepted spellings of where a gold event happened."""

    name: tuple[str, ...] = Field(min_length=1, description="Accepted place names.")
    admin1: tuple[str, ...] = Field(default=(), description="Accepted provinces.")
    country: str = Field(description="The country.")

    @field_validator("name", "admin1", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_tuple(value)


class GoldEvent(_Gold):
    """One event a careful coder would extract, with every accepted value."""

    id: str = Field(description="Free label used in reports.")
    required: bool = Field(default=True, description="False: a legitimate optional event.")
    event_type: EventType
    sub_event_type: tuple[SubEventType, ...] = Field(min_length=1)
    date_text: tuple[str, ...] = Field(min_length=1)
    date: dt.date | None = Field(default=None, description="Resolved date, when known.")
    location: GoldLocation
    actor_types: tuple[ActorType, ...] = Field(default=())
    fatalities: tuple[int | None, ...] = Field(
        default=(), description="Accepted totals; None accepts 'not reported'."
    )
    sources: tuple[str, ...] = Field(default=(), description="Who the facts are attributed to.")

    @field_validator("sub_event_type", "date_text", "actor_types", "sources", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_tuple(value)

    @field_validator("fatalities", mode="before")
    @classmethod
    def _fatalities_list(cls, value: Any) -> Any:
        # A bare `null` would be ambiguous; only a list may say "not reported is accepted".
        if value is None:
            raise ValueError("write fatalities as a list, e.g. [null] or [27, null]")
        return _as_tuple(value)

    @model_validator(mode="after")
    def _sub_types_belong(self) -> GoldEvent:
        wrong = [
            s.value for s in self.sub_event_type if parent_event_type(s) is not self.event_type
        ]
        if wrong:
            raise ValueError(
                f"sub_event_type {', '.join(wrong)} does not belong to {self.event_type.value}"
            )
        return self


class GoldSummary(_Gold):
    """What a good summary of the article must and must not do."""

    must_mention: tuple[tuple[str, ...], ...] = Field(
        default=(), description="Each entry: alternatives, one of which must appear."
    )
    forbidden_unquoted: tuple[str, ...] = Field(
        default=(), description="Loaded words allowed only inside quotation marks."
    )
    max_words: int = Field(default=120, gt=0)

    @field_validator("must_mention", mode="before")
    @classmethod
    def _alternatives(cls, value: Any) -> Any:
        return tuple(tuple(str(v) for v in _as_tuple(entry)) for entry in _as_tuple(value))

    @field_validator("forbidden_unquoted", mode="before")
    @classmethod
    def _forbidden(cls, value: Any) -> Any:
        return _as_tuple(value)


class GoldArticle(_Gold):
    """The gold annotation of one fixture article."""

    article: str = Field(description="File name in the articles directory.")
    published: dt.date | None = None
    outlet: str | None = None
    wire: str | None = None
    body_ends_with: str = Field(min_length=1)
    must_drop: tuple[str, ...] = ()
    events: tuple[GoldEvent, ...] = ()
    summary: GoldSummary = Field(default_factory=GoldSummary)

    @field_validator("must_drop", "events", mode="before")
    @classmethod
    def _lists(cls, value: Any) -> Any:
        return _as_tuple(value)

    @model_validator(mode="after")
    def _unique_ids(self) -> GoldArticle:
        ids = [event.id for event in self.events]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate event ids: {', '.join(duplicates)}")
        return self

    @property
    def article_id(self) -> str:
        """The article's file name without extension, e.g. ``004_c689b8858d52ccb0``."""
        return Path(self.article).stem

    @property
    def required_events(self) -> tuple[GoldEvent, ...]:
        """The gold events a prediction must find."""
        return tuple(event for event in self.events if event.required)


def _error_lines(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "(file)"
        parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def load_gold(path: Path) -> GoldArticle:
    """Load and validate one gold YAML file."""
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read gold file {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"gold file {path} is not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise InputError(f"gold file {path} must be a YAML mapping")
    try:
        return GoldArticle.model_validate(data)
    except ValidationError as exc:
        raise InputError(f"gold file {path} is malformed: {_error_lines(exc)}") from None


def load_gold_dir(gold_dir: Path) -> list[GoldArticle]:
    """Every ``*.yaml`` gold file of a directory, sorted by file name."""
    if not gold_dir.is_dir():
        raise InputError(f"no gold directory at {gold_dir}; pass --gold DIR")
    files = sorted(gold_dir.glob("*.yaml"))
    if not files:
        raise InputError(f"no *.yaml gold files in {gold_dir}")
    return [load_gold(path) for path in files]
