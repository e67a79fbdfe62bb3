"""``summarizer check RECORD.json ARTICLE``: a saved record validates against the
published JSON Schema and every evidence quote occurs in the article.
(``python -m summarizer.check`` runs the same.)
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from summarizer.grounding import quote_in_text
from summarizer.schema import ArticleReport
from summarizer.schemafile import schema_path
from summarizer.text.clean import clean_text

__all__ = ["check_command", "check_record", "commands", "main"]

commands = typer.Typer()


def check_record(record_path: Path, article_path: Path) -> list[str]:
    """Problems of the saved record; empty when it is sound."""
    import jsonschema

    data = json.loads(record_path.read_text("utf-8"))
    schema = json.loads(schema_path().read_text("utf-8"))
    problems = [
        f"schema: {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft202012Validator(schema).iter_errors(data)
    ]
    if problems:
        return problems
    report = ArticleReport.model_validate(data)
    text = clean_text(article_path.read_text("utf-8")).text
    for event in report.events:
        problems += [f"evidence not in the article: {q!r}" for q in event.evidence
                     if not quote_in_text(q, text)]  # fmt: skip
    return problems


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: print the verdict, exit 1 on problems."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m summarizer.check RECORD.json ARTICLE", file=sys.stderr)
        return 2
    return _verdict(Path(args[0]), Path(args[1]))


@commands.command("check")
def check_command(
    record: Annotated[Path, typer.Argument(help="A saved record (JSON).")],
    article: Annotated[Path, typer.Argument(help="The article it was made from.")],
) -> None:
    """Check a saved record: it validates against the published JSON Schema and every
    evidence quote occurs in the article. Exits 1 on problems."""
    raise typer.Exit(_verdict(record, article))


def _verdict(record: Path, article: Path) -> int:
    problems = check_record(record, article)
    for problem in problems:
        print(f"FAIL {problem}")
    if not problems:
        report = ArticleReport.model_validate_json(record.read_text("utf-8"))
        quotes = sum(len(e.evidence) for e in report.events)
        print(
            f"OK {record} validates against {schema_path().name}; {len(report.events)} "
            f"event(s), all {quotes} evidence quote(s) found in {article.name}"
        )
    return 1 if problems else 0
