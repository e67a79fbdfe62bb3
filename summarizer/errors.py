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

The command line prints ``str(error)`` as one line and exits with ``exit_code``. Exit
code 1 means "some inputs failed" (a finished batch with failures); 130 and 143 mean
interrupted by Ctrl-C or SIGTERM.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

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
]


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
