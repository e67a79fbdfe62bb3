"""The LLM client: instructor over the openai client, for any OpenAI-compatible endpoint.

One code path serves OpenAI, Azure, Ollama, vLLM and the embedded llama.cpp server;
only the :class:`Endpoint` differs. Two retry layers, kept apart:

* transport retries (429/5xx/timeouts/connection errors) in
  :mod:`summarizer.llm.transport`, under the openai client whose own retries are 0;
* validation re-asks by instructor: the validation and grounding errors of one
  answer are sent back to the model, at most ``max_reasks`` times.

Tokens of every attempt are summed through per-call instructor hooks.

An endpoint that names its parallel ``slots`` (the embedded server started with
``-np N``) gets the process-wide :class:`~summarizer.llm.slots.SlotGate` of its URL:
every request of every client of that server waits for a slot, so no more than N are
ever in flight, however many articles and rounds of questions run at once.

Two things are kept away from instructor's per-call work. The response model is
wrapped and its JSON Schema generated once per model class (:func:`_response_model`,
a subclass whose ``model_json_schema`` returns the cached schema), not on every
request. instructor's own check of the model for async validators still runs on
every call (five walks of 0.45-0.55 ms, about 2.5 ms of CPU per call for the record's
model; a real article takes tens of seconds): the package patches nothing in
instructor.

A caller's :data:`Check` (the grounding of a one-shot answer, see
:func:`summarizer.grounding.grounding_check`) runs inside the re-ask loop, after each
answer is validated, from a validator of the wrapped response model; it finds its call
through a context variable (per thread and per asyncio task), not instructor's
``context=``: instructor renders every message as a Jinja template with that context,
which fails on an article containing a lone ``{{``, ``{%`` or ``{#`` and cuts a
``{# ... #}`` passage out of it. The messages go to the endpoint exactly as rendered.
The check returns its warnings as a value; the client hands those of the accepted
answer back in :attr:`Completion.warnings`.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import httpx2
import instructor
import openai
import pydantic
from instructor.core import Hooks, IncompleteOutputException, InstructorRetryException
from pydantic import BaseModel, ValidatorFunctionWrapHandler, model_validator

from summarizer.errors import (
    ConfigurationError,
    EndpointError,
    ExtractionFailed,
    redact_text,
    redact_url,
)
from summarizer.llm.slots import SlotGate, gate_for
from summarizer.llm.transport import (
    RETRIES_EXTENSION,
    AsyncRetryTransport,
    RetryPolicy,
    RetryTransport,
)
from summarizer.schema import Usage
from summarizer.settings import Settings

__all__ = ["LLM", "Check", "Completion", "Endpoint", "choose_mode"]

T = TypeVar("T", bound=BaseModel)
S = TypeVar("S")

Check = Callable[[Any, Any, bool], tuple[Any, list[str]]]
"""``check(value, answer, final) -> (value, warnings)``: run on each validated answer
(``answer`` as received, ``final`` on the last attempt); a ``ValueError`` re-asks."""

_MODES = {
    "json_schema": instructor.Mode.JSON_SCHEMA,
    "tools": instructor.Mode.TOOLS,
    "json": instructor.Mode.JSON,
    "md_json": instructor.Mode.MD_JSON,
}


@dataclass(frozen=True)
class Endpoint:
    """Where to send completions. ``api_key`` is never stored in records or logs."""

    base_url: str
    model: str
    api_key: str = field(repr=False)
    embedded: bool = False
    slots: int | None = None  # the server's parallel slots: requests in flight at most

    @property
    def gate(self) -> SlotGate | None:
        """The shared gate of this server's slots (None: no bound is known)."""
        return gate_for(self.base_url, self.slots) if self.slots else None

    @property
    def host(self) -> str:
        """The host part of the base URL (what records keep)."""
        return urlsplit(self.base_url).hostname or redact_url(self.base_url)


def choose_mode(settings: Settings, endpoint: Endpoint) -> instructor.Mode:
    """instructor mode: the user's choice, else tools for OpenAI/Azure, else JSON schema.

    llama.cpp's server honours ``response_format`` JSON schema (constrained decoding)
    but rejects tool calls with a non-string ``tool_choice``.
    """
    if settings.mode != "auto":
        return _MODES[settings.mode]
    host = endpoint.host
    if host == "api.openai.com" or host.endswith(".openai.azure.com"):
        return instructor.Mode.TOOLS
    return instructor.Mode.JSON_SCHEMA


@functools.cache
def _response_model(response_model: type[T]) -> type[T]:
    """``response_model`` as instructor wraps it (a ``ResponseSchema`` subclass, the
    same class name, docstring and schema), with its JSON Schema generated once.

    instructor wraps a plain model and regenerates its schema on every request, about
    5 ms of CPU for the record's schema. A class that already is a ``ResponseSchema``
    is used as it is, so the wrapping is done here once, and a subclass of the wrapped
    class (same name, so the same schema title and tool name) overrides the public
    ``model_json_schema`` classmethod to return the schema made once; every call gets
    a fresh copy, so nothing can alter the cached one.
    """
    wrapped: type[T] = instructor.openai_schema(response_model)
    schema = json.dumps(wrapped.model_json_schema())

    def model_json_schema(cls: type[T], *args: Any, **kwargs: Any) -> dict[str, Any]:
        if args or kwargs:  # another schema flavour: not cached
            return wrapped.model_json_schema(*args, **kwargs)
        loaded: dict[str, Any] = json.loads(schema)
        return loaded

    check: Any = classmethod(_checked)
    namespace: dict[str, Any] = {
        "__module__": wrapped.__module__,
        "__qualname__": wrapped.__qualname__,
        "__doc__": wrapped.__doc__,
        "model_json_schema": classmethod(model_json_schema),
        "_checked": model_validator(mode="wrap")(check),
    }
    metaclass: Any = type(wrapped)  # pydantic's: the subclass is a model like its base
    cached: type[T] = metaclass(wrapped.__name__, (wrapped,), namespace)
    return cached


def _checked(cls: type[BaseModel], data: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Validate, then run the current call's :data:`Check` (if it has one) and keep its
    warnings on the call's tally."""
    value = handler(data)
    tally = _CALL.get()
    if tally is None or tally.check is None:
        return value
    value, tally.warnings = tally.check(value, data, tally.attempts >= tally.final_attempt)
    return value


@dataclass
class Completion(Generic[T]):
    """A validated answer and what it cost."""

    value: T
    attempts: int
    usage: Usage
    latency_seconds: float
    raw: str | None
    warnings: list[str] = field(default_factory=list)  # the check's, for the accepted answer


@dataclass
class _Tally:
    """Per-call record of every completion instructor received."""

    check: Check | None
    final_attempt: int
    attempts: int = 0
    usage: Usage = field(default_factory=Usage)
    raw: str | None = None
    warnings: list[str] = field(default_factory=list)

    def completion(self, value: T, started: float) -> Completion[T]:
        return Completion(
            value, max(self.attempts, 1), self.usage, _since(started), self.raw, self.warnings
        )

    def hooks(self) -> Hooks:
        hooks = Hooks()
        hooks.on("completion:response", self._on_response)
        return hooks

    def _on_response(self, response: Any) -> None:
        self.attempts += 1  # the check knows the final attempt
        usage = getattr(response, "usage", None)
        if usage is not None:
            details = getattr(usage, "prompt_tokens_details", None)
            self.usage = self.usage + Usage(
                prompt_tokens=usage.prompt_tokens or 0,
                completion_tokens=usage.completion_tokens or 0,
                total_tokens=usage.total_tokens or 0,
                cached_prompt_tokens=getattr(details, "cached_tokens", None) or 0,
            )
        choices = getattr(response, "choices", None) or []
        if choices:
            message = choices[0].message
            calls = getattr(message, "tool_calls", None)
            self.raw = calls[0].function.arguments if calls else message.content


_CALL: ContextVar[_Tally | None] = ContextVar("summarizer_llm_call", default=None)


class LLM:
    """Sync and async structured extraction against one endpoint."""

    def __init__(
        self,
        settings: Settings,
        endpoint: Endpoint,
        *,
        event_hooks: dict[str, list[Callable[..., Any]]] | None = None,
    ) -> None:
        """``event_hooks``: httpx event hooks of the HTTP clients (``request`` /
        ``response``; async functions for the async client), e.g. to read llama.cpp's
        ``timings`` from each raw response."""
        self.settings = settings
        self.endpoint = endpoint
        self.gate = endpoint.gate
        self._event_hooks = event_hooks or {}
        self.mode = choose_mode(settings, endpoint)
        self.policy = RetryPolicy(
            retries=settings.transport_retries, max_seconds=settings.transport_max_seconds
        )
        self._timeout = httpx2.Timeout(settings.request_timeout, connect=settings.connect_timeout)
        # Each client is made on first use: a batch or asummarize() never needs the sync
        # one, summarize() never the async one, and each costs an HTTP transport. The
        # lock keeps threads sharing this object from making (and leaking) a second one.
        self._making = threading.RLock()
        self._made: dict[str, Any] = {}

    def _once(self, name: str, make: Callable[[], S]) -> S:
        """The object called ``name``, made by ``make`` the first time it is asked for."""
        made: S | None = self._made.get(name)
        if made is None:
            with self._making:
                made = self._made.get(name)
                if made is None:
                    made = self._made[name] = make()
        return made

    def _options(self) -> dict[str, Any]:
        return {
            "base_url": self.endpoint.base_url,
            "api_key": self.endpoint.api_key,
            "max_retries": 0,
            "timeout": self._timeout,
        }

    @property
    def _sync_openai(self) -> openai.OpenAI:
        return self._once(
            "sync_openai",
            lambda: openai.OpenAI(
                **self._options(),
                http_client=httpx2.Client(
                    transport=RetryTransport(self.policy, gate=self.gate),
                    timeout=self._timeout,
                    event_hooks=self._event_hooks,
                ),
            ),
        )

    @property
    def _async_openai(self) -> openai.AsyncOpenAI:
        return self._once(
            "async_openai",
            lambda: openai.AsyncOpenAI(
                **self._options(),
                http_client=httpx2.AsyncClient(
                    transport=AsyncRetryTransport(self.policy, gate=self.gate),
                    timeout=self._timeout,
                    event_hooks=self._event_hooks,
                ),
            ),
        )

    @property
    def _sync(self) -> instructor.Instructor:
        return self._once("sync", lambda: instructor.from_openai(self._sync_openai, mode=self.mode))

    @property
    def _async(self) -> instructor.AsyncInstructor:
        return self._once(
            "async", lambda: instructor.from_openai(self._async_openai, mode=self.mode)
        )

    def _tally(self, check: Check | None) -> _Tally:
        return _Tally(check, final_attempt=self.settings.max_reasks + 1)

    def _kwargs(self, messages: list[dict[str, str]], response_model: type[T]) -> dict[str, Any]:
        return {
            "model": self.endpoint.model,
            "messages": messages,
            "response_model": _response_model(response_model),
            "max_retries": self.settings.max_reasks,
            "temperature": self.settings.temperature,
            "max_tokens": self.settings.max_tokens,
        }

    def extract(
        self,
        messages: list[dict[str, str]],
        response_model: type[T],
        check: Check | None = None,
    ) -> Completion[T]:
        """Ask for ``response_model``; re-ask on validation errors and on the ``check``'s;
        raise typed errors."""
        tally = self._tally(check)
        started = time.perf_counter()
        token = _CALL.set(tally)
        try:
            value = self._sync.chat.completions.create(
                **self._kwargs(messages, response_model), hooks=tally.hooks()
            )
        except Exception as exc:
            raise self._translate(exc, tally) from exc
        finally:
            _CALL.reset(token)
        return tally.completion(value, started)

    async def aextract(
        self,
        messages: list[dict[str, str]],
        response_model: type[T],
        check: Check | None = None,
    ) -> Completion[T]:
        """The asyncio twin of :meth:`extract`."""
        tally = self._tally(check)
        started = time.perf_counter()
        token = _CALL.set(tally)
        try:
            value = await self._async.chat.completions.create(
                **self._kwargs(messages, response_model), hooks=tally.hooks()
            )
        except Exception as exc:
            raise self._translate(exc, tally) from exc
        finally:
            _CALL.reset(token)
        return tally.completion(value, started)

    def _translate(self, exc: Exception, tally: _Tally) -> Exception:
        cause: BaseException = exc
        if isinstance(exc, InstructorRetryException) and exc.__cause__ is not None:
            cause = exc.__cause__
        if isinstance(cause, IncompleteOutputException) or isinstance(
            exc, IncompleteOutputException
        ):
            return ExtractionFailed(
                f"the model stopped at max_tokens ({self.settings.max_tokens}) before finishing "
                "its answer; raise SUMMARIZER_MAX_TOKENS or shorten the article",
                attempts=max(tally.attempts, 1),
                last_completion=tally.raw,
                usage=tally.usage,
            )
        if isinstance(cause, openai.AuthenticationError | openai.PermissionDeniedError):
            return ConfigurationError(
                f"{self.endpoint.host} rejected the API key (HTTP {cause.status_code}); "
                "set SUMMARIZER_API_KEY or OPENAI_API_KEY"
            )
        if isinstance(cause, openai.NotFoundError):
            return ConfigurationError(
                f"{self.endpoint.host} answered 404 for model {self.endpoint.model!r} at "
                f"{redact_url(self.endpoint.base_url)}; check SUMMARIZER_MODEL and "
                "SUMMARIZER_BASE_URL"
            )
        if isinstance(cause, openai.APIStatusError):
            made = cause.response.extensions.get(RETRIES_EXTENSION, self.policy.retries)
            return EndpointError(
                f"{self.endpoint.host} answered HTTP {cause.status_code} after "
                f"{made} {'retry' if made == 1 else 'retries'}: {_first_line(cause.message)}"
            )
        if isinstance(cause, openai.APITimeoutError):
            return EndpointError(
                f"{self.endpoint.host} did not answer within {self.settings.request_timeout:g}s "
                "(after retries); raise SUMMARIZER_REQUEST_TIMEOUT"
            )
        if isinstance(cause, openai.APIConnectionError):
            detail = _first_line(str(cause.__cause__ or cause))
            return EndpointError(
                f"cannot reach the LLM endpoint {redact_url(self.endpoint.base_url)}: "
                f"{redact_text(detail)}"
            )
        if isinstance(exc, InstructorRetryException) and isinstance(
            cause, pydantic.ValidationError | ValueError
        ):
            errors = _error_lines(cause)
            attempts = max(tally.attempts, 1)
            return ExtractionFailed(
                f"no valid record after {attempts} attempt{'s' if attempts > 1 else ''} "
                f"(up to {self.settings.max_reasks} re-asks): {errors[0] if errors else cause}",
                attempts=max(tally.attempts, 1),
                last_completion=tally.raw,
                usage=tally.usage,
                errors=errors,
            )
        return cause if isinstance(cause, Exception) else exc

    def close(self) -> None:
        """Release the sync HTTP client (the async one is closed by :meth:`aclose`)."""
        if "sync_openai" in self._made:
            self._sync_openai.close()

    async def aclose(self) -> None:
        """Release both HTTP clients (those that were made)."""
        self.close()
        if "async_openai" in self._made:
            await self._async_openai.close()


def _since(started: float) -> float:
    return round(time.perf_counter() - started, 3)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _error_lines(cause: BaseException) -> list[str]:
    errors = getattr(cause, "errors", None)
    if callable(errors):
        lines = []
        for error in errors():
            where = ".".join(str(part) for part in error.get("loc", ()))
            message = str(error.get("msg", ""))
            lines += [f"{where}: {line}" if where else line for line in message.splitlines()]
        return [line for line in lines if line.strip()]
    return [_first_line(str(cause))]
