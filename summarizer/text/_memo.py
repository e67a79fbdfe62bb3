"""Memoised pure functions of a text, and one call that forgets them all.

The grounding checks run many times over the same source text (every attempt, every
event, every summary sentence), and a re-ask at temperature 0 often gets the same answer
back: the pure functions of a text, the article's and the answer's, are memoised.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["MEMO", "clear_memo", "memoised"]

T = TypeVar("T")
MEMO = 512
_MEMOISED: list[functools._lru_cache_wrapper[Any]] = []


def memoised(maxsize: int) -> Callable[[Callable[..., T]], functools._lru_cache_wrapper[T]]:
    """``functools.lru_cache(maxsize)``, registered for :func:`clear_memo`."""

    def wrap(function: Callable[..., T]) -> functools._lru_cache_wrapper[T]:
        cached = functools.lru_cache(maxsize=maxsize)(function)
        _MEMOISED.append(cached)
        return cached

    return wrap


def clear_memo() -> None:
    """Forget every memoised text function (benchmarks time each article cold)."""
    for cached in _MEMOISED:
        cached.cache_clear()
