"""The files of ``summarizer batch``: which inputs are done (the ledgers), the plan of a
resumed run, and one writer per output.

:func:`output_lock` takes an exclusive ``fcntl.flock`` on ``<out>.lock`` for the run's
life: a second ``summarizer batch`` on the same results (and failures) file gets a
:class:`~summarizer.errors.BusyError` (exit 8) before it reads or writes anything, so
two runs never append the same input twice and a ``--resume`` rewrite never replaces a
file another process is appending to. :func:`check_outputs` refuses an ``--out`` or
``--failures`` that is an input (the same file, also through another name) or each
other, and a directory that cannot be written, before anything is written.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from summarizer.batch.runner import BatchInput, output_error, read_jsonl
from summarizer.errors import BusyError, ConfigurationError, InputError, OutputError

__all__ = [
    "Plan",
    "check_outputs",
    "default_failures",
    "ledger",
    "output_lock",
    "plan_run",
    "prune",
]


@contextlib.contextmanager
def output_lock(out_path: Path) -> Iterator[Path]:
    """Hold an exclusive lock on ``<out>.lock`` (which covers the results file and its
    failures file) until the block ends; BusyError when another process holds it. The
    lock file stays: removing it would let a third process lock a new file while the
    second still holds the old one."""
    lock_path = out_path.with_name(out_path.name + ".lock")
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise output_error(lock_path, error) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BusyError(
                f"another summarizer batch is writing {out_path} (it holds {lock_path}); "
                "wait for it to finish, or choose another --out"
            ) from None
        except OSError as error:
            raise output_error(lock_path, error) from None
        yield lock_path
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _same(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except (OSError, ValueError):
        return a.absolute() == b.absolute()


def check_outputs(source: Path, inputs: list[BatchInput], outputs: dict[str, Path]) -> None:
    """Refuse outputs that are an input or each other, or whose directory cannot be
    written; raised before anything is written (so following the advice of an error
    never empties an input)."""
    named = list(outputs.items())
    for index, (option, path) in enumerate(named):
        if _same(path, source) or (source.is_dir() and _inside(path, source)):
            raise InputError(
                f"{option} {path} is the input {source}; writing it would destroy the input "
                f"— choose another {option}"
            )
        for other_option, other in named[index + 1 :]:
            if _same(path, other):
                raise InputError(f"{option} and {other_option} are the same file: {path}")
        _check_writable(option, path)
    if not any(path.exists() for _, path in named):
        return
    for item in inputs:
        if item.path is None:
            continue
        for option, path in named:
            if path.exists() and _same(path, item.path):
                raise InputError(
                    f"{option} {path} is the file of input {item.id!a}; choose another {option}"
                )


def _inside(path: Path, directory: Path) -> bool:
    try:
        return path.resolve().is_relative_to(directory.resolve())
    except (OSError, ValueError):
        return False


def _check_writable(option: str, path: Path) -> None:
    if path.is_dir():
        raise OutputError(f"{option} {path} is a directory, not a file")
    parent = path.parent
    existing = parent
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent  # JsonlAppender creates the missing directories
    if not existing.is_dir():
        raise OutputError(f"cannot write {option} {path}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK) or (
        path.exists() and not os.access(path, os.W_OK)
    ):
        raise OutputError(f"cannot write {option} {path}: permission denied")


def default_failures(out_path: Path) -> Path:
    stem = out_path.name.removesuffix(".jsonl")
    return out_path.with_name(f"{stem}.failures.jsonl")


def ledger(path: Path) -> dict[str, str]:
    """input id -> input hash of every (readable) line of a results or failures file."""
    return {
        str(line["id"]): str(line.get("input_sha256", ""))
        for line in read_jsonl(path)
        if "id" in line
    }


def prune(path: Path, ids: set[str]) -> int:
    """Rewrite ``path`` atomically without the lines of ``ids`` (and unreadable lines)."""
    if not path.is_file() or not ids:
        return 0
    kept, dropped = [], 0
    with path.open(encoding="utf-8", errors="replace") as file:
        for line in file:
            data = _parse_line(line)
            if data is None or str(data.get("id")) in ids:
                dropped += bool(line.strip())
                continue
            kept.append(line if line.endswith("\n") else line + "\n")
    if dropped:
        try:
            fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8", errors="backslashreplace") as temp:
                temp.writelines(kept)
                temp.flush()
                os.fsync(temp.fileno())
            Path(name).replace(path)
        except OSError as error:
            with contextlib.suppress(OSError, UnboundLocalError):
                Path(name).unlink()
            raise output_error(path, error) from None
    return dropped


def _parse_line(line: str) -> dict[str, Any] | None:
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


@dataclass
class Plan:
    """What a (resumed) live batch will do."""

    inputs: list[BatchInput]
    pending: list[BatchInput] = field(default_factory=list)
    done: int = 0
    failed_before: int = 0


def plan_run(
    inputs: list[BatchInput],
    results_path: Path,
    failures_path: Path,
    *,
    resume: bool,
    retry_failed: bool,
) -> Plan:
    plan = Plan(inputs)
    done = ledger(results_path)
    if done and not resume:
        raise ConfigurationError(
            f"{results_path} already holds {len(done)} results; pass --resume to continue "
            "that batch, or choose another --out"
        )
    failed = ledger(failures_path) if resume else {}
    for item in inputs:
        digest = item.content_sha256()
        if done.get(item.id) == digest:
            plan.done += 1
        elif failed.get(item.id) == digest and not retry_failed:
            plan.failed_before += 1
        else:
            plan.pending.append(item)
    redo = {item.id for item in plan.pending}
    prune(results_path, redo & set(done))
    if resume:
        prune(failures_path, redo & set(failed))
    return plan
