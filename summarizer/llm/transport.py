"""Transport retries for the LLM endpoint, below the openai client and above the socket.

Retried: HTTP 429 and 5xx (honouring ``Retry-After`` / ``retry-after-ms``), timeouts,
connection errors and dropped connections; exponential backoff with full jitter,
bounded by a number of retries and a total time. Validation re-asks are a different
thing and live in :mod:`summarizer.llm.client`; the openai client's own retries are set to 0
so the two never multiply. After the last retry, an error status is handed to the
openai client unchanged so it raises its usual ``APIStatusError``.

With a :class:`~summarizer.llm.slots.SlotGate`, each attempt (one HTTP exchange, its
answer read to the end) holds a slot of the server; the backoff sleeps between attempts
hold none.
"""

from __future__ import annotations

import email.utils
import functools
import logging
import math
import os
import random
import ssl
import time
from dataclasses import dataclass, field
from typing import Any

import httpx2
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    Retrying,
    retry_if_exception_type,
    retry_if_result,
    stop_after_attempt,
    stop_after_delay,
)

from summarizer.llm.slots import SlotGate

__all__ = ["RETRIES_EXTENSION", "AsyncRetryTransport", "RetryPolicy", "RetryTransport"]

_log = logging.getLogger(__name__)
# Connection pool: keep up to 512 idle connections (the batch's largest concurrency), as
# the openai client's own default pool would (1000 / 100). httpx's default keeps 20, so
# at a concurrency above 20 every round of requests closed and reopened connections: a
# new TCP (and TLS) handshake per request beyond the 20th.
_POOL_LIMITS = httpx2.Limits(max_connections=1000, max_keepalive_connections=512)


def _ssl_context() -> ssl.SSLContext:
    """httpx2's default TLS context, made once per process (per ``SSL_CERT_FILE`` and
    ``SSL_CERT_DIR``, which it reads): loading the CA store takes about 40 ms, which
    every transport, so every ``summarize()`` call, paid. A context can be shared by
    any number of connections and threads."""
    return _ssl_context_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.cache
def _ssl_context_for(cafile: str | None, capath: str | None) -> ssl.SSLContext:
    del cafile, capath  # the cache key: create_ssl_context reads them from the environment
    return httpx2.create_ssl_context()


_RETRY_STATUS = frozenset({408, 409, 429, 500, 502, 503, 504})
_RETRY_EXCEPTIONS = (
    httpx2.TimeoutException,
    httpx2.ConnectError,
    httpx2.ReadError,
    httpx2.WriteError,
    httpx2.RemoteProtocolError,
)


@dataclass
class RetryPolicy:
    """How many times and how long to retry; counts the retries it made."""

    retries: int = 4
    max_seconds: float = 120.0
    base_delay: float = 0.5
    max_delay: float = 30.0
    retried: int = field(default=0, init=False)

    def delay(self, attempt: int, response: httpx2.Response | None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based): full-jitter
        exponential backoff, or the server's Retry-After when that is longer."""
        backoff = random.uniform(0, min(self.max_delay, self.base_delay * 2 ** (attempt - 1)))
        hinted = _retry_after(response) if response is not None else None
        return min(max(hinted, backoff), self.max_seconds) if hinted is not None else backoff


def _seconds(text: str, scale: float = 1.0) -> float | None:
    """A finite, non-negative number of seconds, or None when ``text`` is not one."""
    try:
        value = float(text.strip()) / scale
    except (ValueError, OverflowError):
        return None
    return max(value, 0.0) if math.isfinite(value) else None


def _retry_after(response: httpx2.Response) -> float | None:
    """The server's hint in seconds (``retry-after-ms``, ``Retry-After`` as seconds or an
    HTTP date), capped at :data:`_MAX_HINT`; None when absent or unparsable ("soon",
    "nan", "inf", a malformed date): then the backoff applies."""
    hinted: float | None = None
    if (ms := response.headers.get("retry-after-ms")) is not None:
        hinted = _seconds(ms, 1000.0)
    value = response.headers.get("retry-after")
    if hinted is None and value is not None:
        hinted = _seconds(value)
        if hinted is None:
            try:
                parsed = email.utils.parsedate_to_datetime(value)
            except (TypeError, ValueError, IndexError, OverflowError):
                parsed = None
            if parsed is not None and parsed.tzinfo is not None:
                hinted = max(parsed.timestamp() - time.time(), 0.0)
    return None if hinted is None else min(hinted, _MAX_HINT)


#: The longest Retry-After honoured (seconds); the policy's total time caps it further.
_MAX_HINT = 3600.0


def _retryable(response: httpx2.Response) -> bool:
    return response.status_code in _RETRY_STATUS


def _last_outcome(state: RetryCallState) -> httpx2.Response:
    """When retries run out: re-raise the last exception, or hand back the last response."""
    assert state.outcome is not None
    response: httpx2.Response = state.outcome.result()
    return response


def _log_retry(state: RetryCallState) -> None:
    assert state.outcome is not None and state.next_action is not None
    what = (
        type(state.outcome.exception()).__name__
        if state.outcome.failed
        else f"HTTP {state.outcome.result().status_code}"
    )
    _log.warning("%s from the LLM endpoint; retry in %.1fs", what, state.next_action.sleep)


#: Response extension that tells how many retries this request took (the error
#: messages of :mod:`summarizer.llm.client` count them).
RETRIES_EXTENSION = "summarizer_retries"


def _retry_args(policy: RetryPolicy, made: list[int]) -> dict[str, Any]:
    """Tenacity's arguments; ``made[0]`` counts the retries actually made (a wait that
    is computed but then stopped by the total time is not a retry)."""

    def wait(state: RetryCallState) -> float:
        outcome = state.outcome
        response = None if outcome is None or outcome.failed else outcome.result()
        return policy.delay(state.attempt_number, response)

    def before_sleep(state: RetryCallState) -> None:
        made[0] += 1
        policy.retried += 1
        _log_retry(state)

    return {
        "stop": stop_after_attempt(policy.retries + 1) | stop_after_delay(policy.max_seconds),
        "wait": wait,
        "retry": retry_if_exception_type(_RETRY_EXCEPTIONS) | retry_if_result(_retryable),
        "retry_error_callback": _last_outcome,
        "before_sleep": before_sleep,
    }


class RetryTransport(httpx2.BaseTransport):
    """A sync transport that retries transient failures of the wrapped transport."""

    def __init__(
        self,
        policy: RetryPolicy,
        inner: httpx2.BaseTransport | None = None,
        *,
        gate: SlotGate | None = None,
    ) -> None:
        self.policy = policy
        self.inner = inner or httpx2.HTTPTransport(limits=_POOL_LIMITS, verify=_ssl_context())
        self.gate = gate

    def _exchange(self, request: httpx2.Request) -> httpx2.Response:
        response = self.inner.handle_request(request)
        if _retryable(response):
            response.read()  # buffer the body so the connection is released
            response.close()
        return response

    def _attempt(self, request: httpx2.Request) -> httpx2.Response:
        if self.gate is None:
            return self._exchange(request)
        with self.gate.slot():
            response = self._exchange(request)
            response.read()  # the server's slot is busy until its answer is read
            return response

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        made = [0]
        response: httpx2.Response = Retrying(**_retry_args(self.policy, made))(
            self._attempt, request
        )
        response.extensions[RETRIES_EXTENSION] = made[0]
        return response

    def close(self) -> None:
        self.inner.close()


class AsyncRetryTransport(httpx2.AsyncBaseTransport):
    """The asyncio twin of :class:`RetryTransport`."""

    def __init__(
        self,
        policy: RetryPolicy,
        inner: httpx2.AsyncBaseTransport | None = None,
        *,
        gate: SlotGate | None = None,
    ) -> None:
        self.policy = policy
        self.inner = inner or httpx2.AsyncHTTPTransport(limits=_POOL_LIMITS, verify=_ssl_context())
        self.gate = gate

    async def _exchange(self, request: httpx2.Request) -> httpx2.Response:
        response = await self.inner.handle_async_request(request)
        if _retryable(response):
            await response.aread()
            await response.aclose()
        return response

    async def _attempt(self, request: httpx2.Request) -> httpx2.Response:
        if self.gate is None:
            return await self._exchange(request)
        async with self.gate.aslot():
            response = await self._exchange(request)
            await response.aread()  # the server's slot is busy until its answer is read
            return response

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        made = [0]
        retrying = AsyncRetrying(**_retry_args(self.policy, made))
        response: httpx2.Response = await retrying(self._attempt, request)
        response.extensions[RETRIES_EXTENSION] = made[0]
        return response

    async def aclose(self) -> None:
        await self.inner.aclose()
