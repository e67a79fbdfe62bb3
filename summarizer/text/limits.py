"""Length limits of the record's metadata, read from the schema, and fitting page
metadata into them.

A page's ``<title>``, ``og:site_name`` or final URL may be longer than the record holds
(:class:`~summarizer.schema.ArticleInfo`). Such values come from the page, not from the
caller, so they are cut (title, outlet) or dropped (URL) with a warning rather than
failing the article after the model was paid for. A value the caller gave explicitly
(``--outlet``, a URL to fetch) that is too long is an input error raised before any
request (see :func:`check_outlet` and :func:`check_url`).
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any, TypeVar

from annotated_types import MaxLen

from summarizer.errors import InputError
from summarizer.schema import ArticleInfo

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    _Doc = TypeVar("_Doc", bound=DataclassInstance)
else:
    _Doc = TypeVar("_Doc")

__all__ = ["OUTLET_MAX", "TITLE_MAX", "URL_MAX", "check_outlet", "check_url", "fit_metadata"]


def _max_length(name: str) -> int:
    for item in ArticleInfo.model_fields[name].metadata:
        if isinstance(item, MaxLen):
            return int(item.max_length)
    raise AssertionError(f"ArticleInfo.{name} has no max_length")  # pragma: no cover


#: Characters the record's ``article.title`` holds.
TITLE_MAX = _max_length("title")
#: Characters the record's ``article.outlet`` holds.
OUTLET_MAX = _max_length("outlet")
#: Characters the record's ``article.url`` holds.
URL_MAX = _max_length("url")


def check_outlet(outlet: str | None) -> None:
    """Refuse an outlet given by the caller that the record cannot hold."""
    if outlet is not None and len(outlet) > OUTLET_MAX:
        raise InputError(
            f"the outlet is {len(outlet)} characters long; a record holds at most {OUTLET_MAX}"
        )


def check_url(url: str) -> None:
    """Refuse a URL to fetch that the record cannot hold."""
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError("the URL is not valid Unicode (it holds a lone surrogate)") from None
    if len(url) > URL_MAX:
        raise InputError(f"the URL is {len(url)} characters long; a record holds at most {URL_MAX}")


def _cut(value: str, limit: int) -> str:
    return value[: limit - 1].rstrip() + "…"


def fit_metadata(document: _Doc) -> _Doc:
    """``document`` (a :class:`~summarizer.text.sources.SourceDocument`) with an
    over-long title or outlet cut and an over-long URL dropped, each with a warning in
    ``document.warnings``; the document itself when all fit."""
    changes: dict[str, Any] = {}
    warnings: list[str] = []
    for name, limit in (("title", TITLE_MAX), ("outlet", OUTLET_MAX)):
        value = getattr(document, name)
        if value is not None and len(value) > limit:
            changes[name] = _cut(value, limit)
            warnings.append(f"the page's {name} was {len(value)} characters; cut to {limit}")
    url = getattr(document, "url", None)
    if url is not None and len(url) > URL_MAX:
        changes["url"] = None
        warnings.append(f"the page's URL was {len(url)} characters (over {URL_MAX}); dropped")
    if not changes:
        return document
    changes["warnings"] = (*getattr(document, "warnings", ()), *warnings)
    return dataclasses.replace(document, **changes)
