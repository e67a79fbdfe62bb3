"""The published JSON Schema of the record (``schemas/article_report.v1.json``).

Generated from the pydantic models; ``python -m summarizer.schemafile`` rewrites it and a
test fails when the committed file drifts from the models.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from summarizer.schema import SCHEMA_VERSION, ArticleReport

__all__ = ["report_schema", "schema_path", "write_schema"]


def report_schema() -> dict[str, Any]:
    """The JSON Schema of ArticleReport, with an $id naming the version."""
    schema = ArticleReport.model_json_schema(mode="serialization")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://summarizer.invalid/schemas/article_report.v{SCHEMA_VERSION}.json",
        **schema,
    }


def schema_path() -> Path:
    """Where the published schema lives: packaged copy, else the repository's schemas/."""
    name = f"article_report.v{SCHEMA_VERSION}.json"
    packaged = Path(__file__).parent / "_schemas" / name
    return packaged if packaged.is_file() else Path(__file__).parent.parent / "schemas" / name


def write_schema(path: Path | None = None) -> Path:
    """Regenerate the published schema file."""
    path = path or schema_path()
    path.write_text(json.dumps(report_schema(), indent=2, ensure_ascii=False) + "\n", "utf-8")
    return path


if __name__ == "__main__":
    print(write_schema())
