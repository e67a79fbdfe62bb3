"""Grounding attached to a one-shot answer: an :class:`~summarizer.schema.Extraction`
checked against the article it came from, with its repairs and warnings returned as
values.

:mod:`summarizer.schema` validates shape only; this is the step after it, used where the
one-shot prompts' answers are validated: by the LLM client's re-ask loop (through the
check :func:`grounding_check` makes, see :meth:`summarizer.llm.client.LLM.extract`) and
by the Batch API import (:func:`validate_grounded`). A problem raises a ``ValueError``
(inside validation, pydantic's error), whose message goes back to the model as the
re-ask.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import pydantic

from summarizer.grounding.checks import check_extraction
from summarizer.schema import Extraction, fit_summary

__all__ = [
    "ground",
    "grounding_check",
    "summary_repairs",
    "validate_grounded",
]


def summary_repairs(answer: Any) -> list[str]:
    """The note of the cut :class:`~summarizer.schema.Summary` made to the summary of
    ``answer`` (the answer as received, before validation), if it made one."""
    summary = answer.get("summary") if isinstance(answer, Mapping) else None
    text = summary.get("text") if isinstance(summary, Mapping) else None
    if not isinstance(text, str):
        return []
    try:
        note = fit_summary(text)[1]
    except ValueError:
        return []
    return [note] if note else []


def ground(
    extraction: Extraction, source_text: str, *, final: bool = False, answer: Any = None
) -> tuple[Extraction, list[str]]:
    """Repair what can be repaired without guessing (drop quotes not in the article; on
    the ``final`` attempt, remove unsupported claims) and raise a ``ValueError`` listing
    the rest. Returns the extraction and its warnings: the repairs, the summary cut of
    ``answer`` (the answer as received) among them, and other observations."""
    warnings = summary_repairs(answer)
    problems = check_extraction(extraction, source_text, warnings, final=final)
    if problems:
        raise ValueError(
            "The record is not grounded in the article:\n" + "\n".join(f"- {p}" for p in problems)
        )
    return extraction, warnings


def grounding_check(
    source_text: str,
) -> Callable[[Extraction, Any, bool], tuple[Extraction, list[str]]]:
    """The check the LLM client runs after validating each answer, for ``source_text``:
    ``check(extraction, answer, final) -> (extraction, warnings)``."""

    def check(extraction: Extraction, answer: Any, final: bool) -> tuple[Extraction, list[str]]:
        return ground(extraction, source_text, final=final, answer=answer)

    return check


def validate_grounded(
    answer: str | bytes | Mapping[str, Any], source_text: str, *, final: bool = False
) -> tuple[Extraction, list[str]]:
    """An answer (JSON text or already parsed) validated as an Extraction, then grounded:
    the extraction and its warnings. Every problem, of shape or of grounding, raises a
    ``pydantic.ValidationError`` for ``Extraction``, as in the LLM client's re-ask loop."""
    if isinstance(answer, Mapping):
        extraction = Extraction.model_validate(answer)
        data: Any = answer
    else:
        extraction = Extraction.model_validate_json(answer)
        data = json.loads(answer)
    try:
        return ground(extraction, source_text, final=final, answer=data)
    except ValueError as error:
        detail: Any = {"type": "value_error", "loc": (), "input": data, "ctx": {"error": error}}
        raise pydantic.ValidationError.from_exception_data("Extraction", [detail]) from error
