"""The ``summarizer`` command line: one module per command group (:mod:`.core`,
:mod:`.batch`, :mod:`.eval`, :mod:`.slack`, :mod:`.check`), assembled in :mod:`.root`."""

from summarizer.cli.root import app, main

__all__ = ["app", "main"]
