"""``summarizer batch --via openai-batch``, ``batch import`` and ``batch ingest``: the
Batch API scale-out on the command line, and the results/failures ledgers they share
with the live batch.

A one-shot prompt (v1-v4) takes one round: the requests file, then ``batch import`` of
its output. A step-pipeline prompt (v6) takes rounds (:mod:`summarizer.batch.rounds`):
``jobs.round1.jsonl`` first; each ``batch ingest`` of a round's output writes the
finished articles and the next round's file, and says what to run next. With an API
key the command submits every round in turn, waits for it and ingests it.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from summarizer.batch.openai_batch import (
    awrite_requests,
    import_output,
    manifest_for,
    submit_and_wait,
)
from summarizer.batch.rounds import Ingested, RoundFiles, aprepare_rounds, ingest
from summarizer.batch.runner import BatchInput, BatchResult, JsonlAppender, read_jsonl
from summarizer.cli._batch_io import (
    check_outputs,
    default_failures,
    ledger,
    output_lock,
    prune,
)
from summarizer.cli._common import err, handle_errors
from summarizer.errors import EndpointError, InputError
from summarizer.extraction._steps import is_steps_version
from summarizer.settings import Settings

__all__ = [
    "find_manifest",
    "import_command",
    "import_into",
    "ingest_command",
    "ingest_into",
    "rounds_manifest",
    "via_openai_batch",
]


def _say(message: str) -> None:
    err.print(message, highlight=False, soft_wrap=True)


# --------------------------------------------------------------------------- one round


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


def _status(batch: str, state: str, counts: dict[str, int]) -> None:
    _say(
        f"batch {batch}: {state} ({counts['completed']}/{counts['total']} done, "
        f"{counts['failed']} failed)"
    )


def _write_failures(path: Path, failures: list[BatchResult]) -> None:
    with JsonlAppender(path, truncate=True) as file:
        for failure in failures:
            file.write(failure.to_json())


def via_openai_batch(
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
    """``--via openai-batch``: one requests file (one-shot prompt) or rounds (steps)."""
    if is_steps_version(settings.prompt_version):
        _via_rounds(inputs, requests_path, failures_path, results_path, settings=settings,
                    concurrency=concurrency, submit=submit, batch_id=batch_id,
                    poll_interval=poll_interval)  # fmt: skip
        return
    manifest = manifest_for(requests_path)
    if batch_id is None:
        written = asyncio.run(
            awrite_requests(inputs, requests_path, settings=settings, concurrency=concurrency)
        )
        _write_failures(failures_path, written.failures)
        _say(
            f"wrote {written.requests} requests for {written.inputs - len(written.failures)} "
            f"inputs to {requests_path} (manifest: {manifest}); {len(written.failures)} inputs "
            f"could not be loaded (see {failures_path})"
        )
    elif not manifest.is_file():
        raise InputError(f"--batch-id needs the manifest {manifest} written with the requests")
    if not submit or settings.api_key is None:
        _say(
            "not submitted (no API key, or --no-submit). Run the file with OpenAI's Batch API "
            "or vLLM (python -m vllm.entrypoints.openai.run_batch -i "
            f"{requests_path} -o output.jsonl --model MODEL), then: summarizer batch import "
            f"output.jsonl --manifest {manifest} --out {results_path}"
        )
        return
    files = submit_and_wait(
        requests_path,
        settings=settings,
        batch_id=batch_id,
        poll_interval=poll_interval,
        on_status=_status,
    )
    if not files.paths:
        raise EndpointError(f"batch {files.batch_id} ended {files.status} with no output file")
    ok, failed, skipped = import_into(files.paths, manifest, results_path, failures_path)
    _say(
        f"batch {files.batch_id} {files.status}: imported {ok} records into {results_path}, "
        f"{failed} failures into {failures_path}"
        + (f", {skipped} already there" if skipped else "")
    )
    if failed:
        raise typer.Exit(1)


# --------------------------------------------------------------------------- rounds


def _next_step(round_path: Path, manifest: Path, results_path: Path, failures_path: Path) -> str:
    output = round_path.with_name(round_path.name.removesuffix(".jsonl") + ".output.jsonl")
    return (
        f"upload {round_path} to OpenAI's Batch API (or run it with vLLM: python -m "
        f"vllm.entrypoints.openai.run_batch -i {round_path} -o {output} --model MODEL), "
        f"then run `summarizer batch ingest {output} --manifest {manifest} --out "
        f"{results_path} --failures {failures_path}`"
    )


def _ingested(done: Ingested, files: RoundFiles, results_path: Path, failures_path: Path) -> None:
    message = (
        f"stored {done.answers_stored} answers; {done.ok} articles finished into "
        f"{results_path}, {done.failed} failed into {failures_path}"
        + (f", {done.already_done} done before" if done.already_done else "")
    )
    if done.round_path is None:
        _say(f"{message}; every article is done")
        return
    _say(
        f"{message}; {done.waiting} articles need round {done.round_number}: wrote "
        f"{done.requests} requests to {done.round_path}. Next: "
        + _next_step(done.round_path, files.manifest, results_path, failures_path)
    )


def _via_rounds(
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
    files = RoundFiles.for_requests(requests_path)
    if batch_id is None:
        prepared = asyncio.run(
            aprepare_rounds(inputs, requests_path, settings=settings, concurrency=concurrency)
        )
        _write_failures(failures_path, prepared.failures)
        round_path: Path | None = prepared.round_path
        _say(
            f"prompt {settings.prompt_version} asks in rounds: wrote {prepared.requests} "
            f"round 1 requests for {prepared.inputs - len(prepared.failures)} inputs to "
            f"{round_path} (manifest: {files.manifest}); {len(prepared.failures)} inputs "
            f"could not be loaded (see {failures_path})"
        )
        if not prepared.requests:
            return
    else:
        numbers = files.rounds()
        if not numbers or not files.manifest.is_file():
            raise InputError(f"--batch-id needs {files.manifest} and the round files beside it")
        round_path = files.round(numbers[-1])
    if not submit or settings.api_key is None:
        assert round_path is not None
        _say(
            "not submitted (no API key, or --no-submit). Next: "
            + _next_step(round_path, files.manifest, results_path, failures_path)
        )
        return
    failed = 0
    while round_path is not None:
        batch = submit_and_wait(
            round_path,
            settings=settings,
            batch_id=batch_id,
            poll_interval=poll_interval,
            on_status=_status,
        )
        batch_id = None
        if not batch.paths:
            raise EndpointError(f"batch {batch.batch_id} ended {batch.status} with no output file")
        done = ingest(batch.paths, files.manifest, results_path, failures_path)
        failed += done.failed
        _say(f"batch {batch.batch_id} {batch.status} ({round_path.name}): " + (
            f"stored {done.answers_stored} answers; {done.ok} articles finished, "
            f"{done.failed} failed" + (f"; next: round {done.round_number}"
                                       if done.round_path else "; every article is done")
        ))  # fmt: skip
        round_path = done.round_path
    _say(f"results: {results_path}, failures: {failures_path}")
    if failed:
        raise typer.Exit(1)


def rounds_manifest(outputs: list[Path]) -> Path:
    """The manifest of a round's output ``jobs.round2.output.jsonl``: ``jobs.manifest.jsonl``,
    else the one manifest in its directory."""
    for output in outputs:
        candidate = RoundFiles.for_requests(output).manifest
        if candidate.is_file():
            return candidate
    found = sorted(outputs[0].parent.glob("*.manifest.jsonl"))
    if len(found) == 1:
        return found[0]
    raise InputError("cannot tell which manifest goes with the output; pass --manifest")


def ingest_into(
    outputs: list[Path], manifest: Path, results_path: Path | None, failures_path: Path | None
) -> None:
    """``batch ingest``: take a round's output, say what to do next. Exit status 1 once
    every article is done and some failed (this round or before)."""
    files = RoundFiles.for_manifest(manifest)
    if results_path is None:
        results_path = files.directory / f"{files.name}.results.jsonl"
        failures_path = failures_path or files.directory / f"{files.name}.failures.jsonl"
    failures_path = failures_path or default_failures(results_path)
    with output_lock(results_path):
        done = ingest(outputs, manifest, results_path, failures_path)
        _ingested(done, files, results_path, failures_path)
    ids = {str(entry.get("id")) for entry in read_jsonl(manifest)}
    if done.round_path is None and ids & set(ledger(failures_path)):
        raise typer.Exit(1)


# --------------------------------------------------------------------------- commands


def find_manifest(outputs: list[Path]) -> Path:
    for output in outputs:
        candidate = manifest_for(output)
        if candidate.is_file():
            return candidate
    found = sorted(outputs[0].parent.glob("*.manifest.jsonl"))
    if len(found) == 1:
        return found[0]
    raise InputError("cannot tell which manifest goes with the output; pass --manifest")


@handle_errors
def import_command(
    outputs: Annotated[
        list[Path],
        typer.Argument(metavar="OUTPUT...", help="Batch API output (and error) JSONL files."),
    ],
    out_path: Annotated[Path, typer.Option("--out", "-o", help="Results JSONL to append to.")],
    manifest: Annotated[
        Path | None,
        typer.Option(help="The manifest written with the requests [found next to OUTPUT]."),
    ] = None,
    failures: Annotated[
        Path | None, typer.Option(help="Failures JSONL [default: <out>.failures.jsonl].")
    ] = None,
) -> None:
    """Validate Batch API answers into records (like the live path) and failures."""
    manifest = manifest or find_manifest(outputs)
    failures_path = failures or default_failures(out_path)
    for output in (*outputs, manifest):
        check_outputs(output, [], {"--out": out_path, "--failures": failures_path})
    with output_lock(out_path):
        ok, failed, skipped = import_into(outputs, manifest, out_path, failures_path)
    err.print(
        f"imported {ok} records into {out_path}, {failed} failures into {failures_path}"
        + (f", {skipped} already there" if skipped else ""),
        highlight=False,
        soft_wrap=True,
    )
    if failed:
        raise typer.Exit(1)


@handle_errors
def ingest_command(
    outputs: Annotated[
        list[Path],
        typer.Argument(metavar="OUTPUT...", help="One round's Batch API output (and error) files."),
    ],
    manifest: Annotated[
        Path | None,
        typer.Option(help="The manifest written with round 1 [<name>.manifest.jsonl by OUTPUT]."),
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="Results JSONL [<name>.results.jsonl].")
    ] = None,
    failures: Annotated[
        Path | None, typer.Option(help="Failures JSONL [<name>.failures.jsonl].")
    ] = None,
) -> None:
    """Take a round of a step-pipeline batch (prompt v6): record the finished articles,
    write the next round's requests and say what to run next."""
    ingest_into(outputs, manifest or rounds_manifest(outputs), out_path, failures)
