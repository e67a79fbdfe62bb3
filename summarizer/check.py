"""``python -m summarizer.check RECORD.json ARTICLE``: the same as ``summarizer check``
(:mod:`summarizer.cli.check`), kept for scripts that call it this way."""

from summarizer.cli.check import check_record, main

__all__ = ["check_record", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
