"""The batch's files: :class:`JsonlAppender` (durable line-by-line appends) and
:func:`read_jsonl` (re-exported by :mod:`summarizer.batch.runner`)."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from summarizer.errors import OutputError

__all__ = ["JsonlAppender", "output_error", "read_jsonl"]


class JsonlAppender:
    """Appends JSON lines durably: one ``os.write`` per line on an ``O_APPEND`` descriptor,
    then ``fsync``. A kill can at worst leave a torn *last* line, which opening the file
    again truncates away (see :meth:`repair`) before anything is appended."""

    def __init__(self, path: Path, *, truncate: bool = False) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | (os.O_TRUNC if truncate else 0)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, flags, 0o644)
            self.repaired = self.repair()
        except OSError as error:
            self.close()
            raise output_error(self.path, error) from None
        self.written = 0

    def repair(self) -> int:
        """Cut a torn final line (no trailing newline); returns the bytes removed."""
        assert self._fd is not None
        size = os.fstat(self._fd).st_size
        if size == 0:
            return 0
        with self.path.open("rb") as file:
            file.seek(size - 1)
            if file.read(1) == b"\n":
                return 0
            keep, position, block = 0, size, 1 << 16
            while position > 0:
                start = max(position - block, 0)
                file.seek(start)
                chunk = file.read(position - start)
                newline = chunk.rfind(b"\n")
                if newline >= 0:
                    keep = start + newline + 1
                    break
                position = start
        os.ftruncate(self._fd, keep)
        os.fsync(self._fd)
        return size - keep

    def write(self, data: dict[str, Any]) -> None:
        """Append one JSON object as a line, flushed to disk before returning."""
        if self._fd is None:
            raise ValueError(f"{self.path} is closed")
        # a lone surrogate (from a JSONL "\ud800" escape) is written as that same escape:
        # the line stays valid UTF-8 and valid JSON, and reads back as the same string
        line = (json.dumps(data, ensure_ascii=False) + "\n").encode(errors="backslashreplace")
        view = memoryview(line)
        try:
            while view:  # a regular file takes it in one write; loop only on a short write
                view = view[os.write(self._fd, view) :]
            try:
                os.fsync(self._fd)
            except OSError as error:  # a pipe or a device cannot be fsync'd: nothing to do
                if error.errno != errno.EINVAL:
                    raise
        except OSError as error:
            raise output_error(self.path, error) from None
        self.written += 1

    def close(self) -> None:
        """Close the file descriptor."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def output_error(path: Path, error: OSError) -> OutputError:
    """One line for an output that cannot be written (no directory, permission, disk
    full), without a traceback."""
    reason = error.strerror or type(error).__name__
    return OutputError(f"cannot write {path}: {reason}")


def read_jsonl(
    path: Path, on_bad: Callable[[int, str], None] | None = None
) -> Iterator[dict[str, Any]]:
    """The JSON objects of a JSONL file, skipping blank lines and lines that do not parse
    (a torn last line after a crash); ``on_bad(line_number, line)`` hears of each."""
    path = Path(path)
    if not path.is_file():
        return
    with path.open(encoding="utf-8", errors="replace") as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError:
                data = None
            if isinstance(data, dict):
                yield data
            elif on_bad is not None:
                on_bad(number, line)
