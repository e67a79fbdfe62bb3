"""Submitting a Batch API requests file: upload, create the batch, poll, download.

Re-exported by :mod:`summarizer.batch.openai_batch`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import openai

from summarizer.batch._shared import batch_target, stem
from summarizer.errors import ConfigurationError, EndpointError, SummarizerError
from summarizer.llm.client import Endpoint
from summarizer.settings import Settings

__all__ = ["BATCH_URL", "BatchFiles", "submit_and_wait"]

#: The ``url`` of every request line.
BATCH_URL: Final = "/v1/chat/completions"
_TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})


@dataclass
class BatchFiles:
    """A finished batch: its id, final status and the files downloaded."""

    batch_id: str
    status: str
    output: Path | None
    errors: Path | None

    @property
    def paths(self) -> list[Path]:
        """The downloaded files (output first)."""
        return [p for p in (self.output, self.errors) if p is not None]


def _api_error(error: openai.OpenAIError, host: str) -> SummarizerError:
    if isinstance(error, openai.AuthenticationError | openai.PermissionDeniedError):
        return ConfigurationError(
            f"{host} rejected the API key (HTTP {error.status_code}); set SUMMARIZER_API_KEY "
            "or OPENAI_API_KEY"
        )
    if isinstance(error, openai.APIStatusError):
        return EndpointError(f"{host} answered HTTP {error.status_code} to a Batch API call")
    return EndpointError(f"Batch API call to {host} failed: {type(error).__name__}: {error}")


def submit_and_wait(
    requests_path: Path,
    *,
    settings: Settings,
    batch_id: str | None = None,
    poll_interval: float = 10.0,
    max_interval: float = 300.0,
    on_status: Callable[[str, str, dict[str, int]], None] | None = None,
) -> BatchFiles:
    """Upload and start the batch (or resume polling ``batch_id``), poll until it ends
    (the interval grows by half each poll up to ``max_interval``), download its files
    next to the requests: ``<name>.output.jsonl`` and ``<name>.errors.jsonl``.

    ``on_status(batch_id, status, request_counts)`` hears of every poll.
    """
    if settings.api_key is None:
        raise ConfigurationError("submitting a batch needs an API key: set SUMMARIZER_API_KEY")
    _, base_url = batch_target(settings)
    endpoint = Endpoint(base_url, "", settings.api_key.get_secret_value())
    client = openai.OpenAI(base_url=base_url, api_key=endpoint.api_key, max_retries=3)
    try:
        if batch_id is None:
            with requests_path.open("rb") as file:
                uploaded = client.files.create(file=file, purpose="batch")
            created = client.batches.create(
                input_file_id=uploaded.id, endpoint=BATCH_URL, completion_window="24h"
            )
            batch_id = created.id
        interval = poll_interval
        while True:
            batch = client.batches.retrieve(batch_id)
            counts = batch.request_counts
            if on_status is not None:
                on_status(
                    batch.id,
                    batch.status,
                    {
                        "total": counts.total if counts else 0,
                        "completed": counts.completed if counts else 0,
                        "failed": counts.failed if counts else 0,
                    },
                )
            if batch.status in _TERMINAL:
                break
            time.sleep(interval)
            interval = min(interval * 1.5, max_interval)
        name = stem(requests_path)
        files: dict[str, Path | None] = {"output": None, "errors": None}
        for kind, file_id in (("output", batch.output_file_id), ("errors", batch.error_file_id)):
            if file_id:
                path = requests_path.with_name(f"{name}.{kind}.jsonl")
                path.write_bytes(client.files.content(file_id).content)
                files[kind] = path
    except openai.OpenAIError as error:
        raise _api_error(error, endpoint.host) from error
    finally:
        client.close()
    return BatchFiles(batch_id, batch.status, files["output"], files["errors"])
