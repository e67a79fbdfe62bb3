"""The ``summarizer`` command: every command module's commands, assembled in one place.

Importing a command module registers nothing; this module adds each one's commands to
:data:`app` explicitly, in the order ``--help`` lists them.
"""

from __future__ import annotations

import typer

from summarizer.cli import batch, check, core, slack
from summarizer.cli import eval as eval_
from summarizer.cli._common import root_options

__all__ = ["app", "main"]

app = typer.Typer(
    name="summarizer",
    help="Turn conflict news articles into validated ACLED-style event records and neutral, "
    "attributed summaries. With no endpoint configured, a local llama.cpp model is used "
    "(install it with `summarizer setup-local`).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.callback()(root_options)
for group in (core.commands, slack.commands, check.commands):
    app.registered_commands.extend(group.registered_commands)
app.add_typer(batch.batch_app, name="batch")
app.add_typer(batch.cache_app, name="cache")
app.add_typer(eval_.eval_app, name="eval")


def main() -> None:
    """Entry point of the ``summarizer`` script."""
    app()
