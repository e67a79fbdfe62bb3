"""The one exception tree of summarizer.

Everything the library raises on purpose derives from :class:`SummarizerError`,
so ``except SummarizerError`` catches every expected failure and nothing else::

    SummarizerError
    ├── ConfigurationError        a setting is missing or wrong; the message names the
    │   │                         variable to set (exit code 2)
    │   └── EmbeddedModelError    the embedded llama.cpp server or its model is not
    │                             installed, fails its checksum, or does not start
    ├── InputError                the source cannot be turned into article text: empty,
    │   │                         binary, too large, unsupported content type (exit 3)
    │   └── FetchError            an http(s) source could not be retrieved (404, timeout,
    │                             redirect loop, size cap)
    ├── EndpointError             the LLM endpoint kept failing after transport retries:
    │                             unreachable, 5xx, 429, timeouts, auth (exit 4)
    ├── ExtractionFailed          the model answered but no answer passed validation and
    │                             grounding within the re-ask budget; carries attempts,
    │                             the last raw completion and token usage (exit 5)
    ├── SlackPostError            Slack refused a call or could not be reached; names the
    │                             call, channel and Slack's error code, never a token (exit 6)
    ├── OutputError               an output file or directory cannot be written: missing
    │                             directory, permission, disk full (exit 7)
    └── BusyError                 another process holds the output (a second
                                  ``summarizer batch`` on the same results file) (exit 8)

The command line prints ``str(error)`` as one line and exits with ``exit_code``;
:func:`redact_text` first takes passwords and tokens out of any URL in it (as does every
other place that prints, logs, stores or posts an error or a URL). Exit code 1 means
"some inputs failed" (a finished batch with failures); 130 and 143 mean interrupted by
Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

if TYPE_CHECKING:
    from summarizer.schema import Usage

__all__ = [
    "BusyError",
    "ConfigurationError",
    "EmbeddedModelError",
    "EndpointError",
    "ExtractionFailed",
    "FetchError",
    "InputError",
    "OutputError",
    "SlackPostError",
    "SummarizerError",
    "redact_text",
    "redact_url",
]

# --- redaction: what the project prints or stores never carries a password or a token ---

_REDACTED = "***"
# A query parameter whose name looks like a secret: key, api_key, token, sig, password...
_SECRET_PARAM = re.compile(
    r"((?:^|[&;])[^=&;]*(?:key|token|secret|pass|pwd|sig|auth|session|credential|code)[^=&;]*=)"
    r"[^&;#]*",
    re.IGNORECASE,
)
# A URL inside free text: a scheme, '://', then anything up to white space or a quote.
_URL_IN_TEXT = re.compile(r"\b[a-z][a-z0-9+.-]{0,20}://[^\s'\"<>`]+", re.IGNORECASE)


def redact_url(url: str) -> str:
    """``url`` with its userinfo and secret-looking query values replaced by ``***``.

    ``http://user:pw@host/v1?api_key=k&q=1`` becomes ``http://***@host/v1?api_key=***&q=1``.
    A string that does not parse as a URL is returned with anything before an ``@`` in
    it masked, so a malformed URL cannot leak its password either.
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc
        if "@" in netloc:
            netloc = f"{_REDACTED}@{netloc.rsplit('@', 1)[1]}"
        query = _SECRET_PARAM.sub(rf"\1{_REDACTED}", parts.query)
        fragment = _SECRET_PARAM.sub(rf"\1{_REDACTED}", parts.fragment)
        return urlunsplit(parts._replace(netloc=netloc, query=query, fragment=fragment))
    except ValueError:
        scheme, sep, rest = url.partition("://")
        if "@" in rest.split("/", 1)[0]:
            rest = f"{_REDACTED}@{rest.split('@', 1)[1]}"
        return f"{scheme}{sep}{rest}"


def redact_text(text: str) -> str:
    """``text`` (an error message, a log line) with every URL in it passed through
    :func:`redact_url`."""

    def redacted(match: re.Match[str]) -> str:
        url = match.group(0)
        bare = url.rstrip(".,;:!?)]}'")  # sentence punctuation after a URL is not part of it
        return redact_url(bare) + url[len(bare) :]

    return _URL_IN_TEXT.sub(redacted, text)


class SummarizerError(Exception):
    """Base class of every error summarizer raises on purpose."""

    exit_code: int = 1


class ConfigurationError(SummarizerError):
    """A setting is missing or invalid. The message names what to set."""

    exit_code = 2


class EmbeddedModelError(ConfigurationError):
    """The embedded llama.cpp server or its model is missing, corrupt or did not start."""


class InputError(SummarizerError):
    """The source could not be turned into article text."""

    exit_code = 3


class FetchError(InputError):
    """An http(s) source could not be retrieved."""


class EndpointError(SummarizerError):
    """The LLM endpoint failed after all transport retries."""

    exit_code = 4


class ExtractionFailed(SummarizerError):
    """No model answer passed validation and grounding within the re-ask budget.

    Attributes:
        attempts: how many completions were requested (first try plus re-asks).
        last_completion: the raw text of the last completion, for debugging.
        usage: tokens summed over every attempt.
        errors: the validation messages of the last attempt.
    """

    exit_code = 5

    def __init__(
        self,
        message: str,
        *,
        attempts: int,
        last_completion: str | None,
        usage: Usage,
        errors: list[str] | None = None,
    ) -> None:
        super().__init__(message)
        self.attempts = attempts
        self.last_completion = last_completion
        self.usage = usage
        self.errors = errors or []


class SlackPostError(SummarizerError):
    """Slack refused a call (or could not be reached). The message names the call, the
    channel and Slack's error code; never a token."""

    exit_code = 6


class OutputError(SummarizerError):
    """An output (results, failures, ``--save`` file) cannot be written: its directory is
    missing, permission is denied, the disk is full. The message names the path."""

    exit_code = 7


class BusyError(SummarizerError):
    """Another process is writing the same output (its lock is held); try again later."""

    exit_code = 8
