"""``summarizer batch --via openai-batch`` and ``summarizer batch import``: write Batch
API requests, submit and poll them, and import the answers into the results and
failures files (added to the command line by :mod:`summarizer.cli.batch`)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from summarizer.batch.openai_batch import (
    awrite_requests,
    import_output,
    manifest_for,
    submit_and_wait,
)
from summarizer.batch.runner import BatchInput, JsonlAppender, read_jsonl
from summarizer.cli._batch_io import ledger, prune
from summarizer.cli._common import err
from summarizer.errors import EndpointError, InputError
from summarizer.settings import Settings

__all__ = ["find_manifest", "import_into", "openai_batch"]


def import_into(
    outputs: list[Path], manifest: Path, results_path: Path, failures_path: Path
) -> tuple[int, int, int]:
    """Import Batch API output into the results/failures files; (ok, failed, skipped)."""
    done = ledger(results_path)
    entries = {str(e.get("id")) for e in read_jsonl(manifest)}
    prune(failures_path, entries - set(done))
    ok = failed = skipped = 0
    with JsonlAppender(results_path) as results, JsonlAppender(failures_path) as failures:
        for result in import_output(outputs, manifest):
            if done.get(result.id) == result.input_sha256:
                skipped += 1
            elif result.ok:
                results.write(result.to_json())
                ok += 1
            else:
                failures.write(result.to_json())
                failed += 1
    return ok, failed, skipped


def openai_batch(
    inputs: list[BatchInput],
    requests_path: Path,
    failures_path: Path,
    results_path: Path,
    *,
    settings: Settings,
    concurrency: int,
    submit: bool,
    batch_id: str | None,
    poll_interval: float,
) -> None:
    manifest = manifest_for(requests_path)
    if batch_id is None:
        written = asyncio.run(
            awrite_requests(inputs, requests_path, settings=settings, concurrency=concurrency)
        )
        with JsonlAppender(failures_path, truncate=True) as failures:
            for failure in written.failures:
                failures.write(failure.to_json())
        err.print(
            f"wrote {written.requests} requests for {written.inputs - len(written.failures)} "
            f"inputs to {requests_path} (manifest: {manifest}); {len(written.failures)} inputs "
            f"could not be loaded (see {failures_path})",
            highlight=False,
            soft_wrap=True,
        )
    elif not manifest.is_file():
        raise InputError(f"--batch-id needs the manifest {manifest} written with the requests")
    if not submit or settings.api_key is None:
        err.print(
            "not submitted (no API key, or --no-submit). Run the file with OpenAI's Batch API "
            "or vLLM (python -m vllm.entrypoints.openai.run_batch -i "
            f"{requests_path} -o output.jsonl --model MODEL), then: summarizer batch import "
            f"output.jsonl --manifest {manifest} --out {results_path}",
            highlight=False,
            soft_wrap=True,
        )
        return

    def status(batch: str, state: str, counts: dict[str, int]) -> None:
        err.print(
            f"batch {batch}: {state} ({counts['completed']}/{counts['total']} done, "
            f"{counts['failed']} failed)",
            highlight=False,
        )

    files = submit_and_wait(
        requests_path,
        settings=settings,
        batch_id=batch_id,
        poll_interval=poll_interval,
        on_status=status,
    )
    if not files.paths:
        raise EndpointError(f"batch {files.batch_id} ended {files.status} with no output file")
    ok, failed, skipped = import_into(files.paths, manifest, results_path, failures_path)
    err.print(
        f"batch {files.batch_id} {files.status}: imported {ok} records into {results_path}, "
        f"{failed} failures into {failures_path}"
        + (f", {skipped} already there" if skipped else ""),
        highlight=False,
        soft_wrap=True,
    )
    if failed:
        raise typer.Exit(1)


def find_manifest(outputs: list[Path]) -> Path:
    for output in outputs:
        candidate = manifest_for(output)
        if candidate.is_file():
            return candidate
    found = sorted(outputs[0].parent.glob("*.manifest.jsonl"))
    if len(found) == 1:
        return found[0]
    raise InputError("cannot tell which manifest goes with the output; pass --manifest")
