"""What every command module of the command line shares: the consoles, the ``--debug``
switch, the error handler and the settings from options.

Every expected failure is a :class:`~summarizer.errors.SummarizerError`; the CLI prints
it as one line on stderr and exits with the error's code (2 configuration, 3 input,
4 endpoint, 5 extraction failed, 6 Slack, 7 output not writable, 8 output busy, 130
interrupted); an OSError that escapes a command is an output error (7). ``--debug``
shows the traceback.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Annotated, Any, ParamSpec, TypeVar

import rich.markup
import typer
from rich.console import Console

from summarizer.errors import OutputError, SummarizerError, redact_text
from summarizer.settings import Settings

__all__ = ["err", "handle_errors", "one_line", "out", "root_options", "settings_from"]

err = Console(stderr=True)
out = Console()
_state = {"debug": False}

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
P = ParamSpec("P")
R = TypeVar("R")


def root_options(
    debug: Annotated[
        bool, typer.Option("--debug", help="Show full tracebacks instead of one-line errors.")
    ] = False,
) -> None:
    _state["debug"] = debug
    # Library logs (retries, instructor's attempt log) only with --debug: errors reach the
    # user as one line through handle_errors.
    logging.basicConfig(level=logging.DEBUG if debug else logging.CRITICAL, force=True)
    for handler in logging.getLogger().handlers:
        handler.setFormatter(_RedactingFormatter("%(levelname)s %(name)s: %(message)s"))


class _RedactingFormatter(logging.Formatter):
    """Log lines (tracebacks included) without passwords or tokens in their URLs."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


def handle_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn SummarizerError into one line on stderr and the error's exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except SummarizerError as exc:
            if _state["debug"]:
                raise
            message = one_line(redact_text(str(exc)))
            err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except OSError as exc:  # a file the command writes: disk full, permission...
            if _state["debug"]:
                raise
            where = f" {exc.filename}" if exc.filename else ""
            reason = exc.strerror or type(exc).__name__
            message = one_line(f"cannot write{where}: {reason}")
            err.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
            raise typer.Exit(OutputError.exit_code) from None

    return wrapper


def one_line(text: str) -> str:
    """``text`` as one printable line: control characters (a newline in a file name) and
    lone surrogates escaped, Rich markup escaped."""
    escaped = _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode(), text)
    return rich.markup.escape(escaped.encode("utf-8", "backslashreplace").decode("utf-8"))


def settings_from(**overrides: Any) -> Settings:
    """Settings from the environment with the given command-line values on top."""
    return Settings(**{k: v for k, v in overrides.items() if v is not None})
