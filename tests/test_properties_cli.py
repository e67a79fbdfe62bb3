"""Property tests (hypothesis): the CLI's ``summarize`` and :func:`summarizer.summarize`
never show a traceback, whatever the input, against the FAKE LLM server
(tests/fakes/fake_openai.py, not a model).

Generated: random bytes as files and on standard input, random Unicode (lone
surrogates, bidi controls, NULs) as articles and as metadata, huge and tiny
``--outlet`` / ``--published``, odd paths, odd URLs (on 127.0.0.1 only: no DNS), odd
``--save`` targets. Every outcome is a record (exit 0) or a
:class:`~summarizer.errors.SummarizerError` subclass: one ``error:`` line and that
error's exit code. Well over 1,000 generated inputs per run in total.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from summarizer.api import summarize
from summarizer.cli._common import root_options
from summarizer.cli.core import commands
from summarizer.errors import (
    BusyError,
    ConfigurationError,
    EndpointError,
    ExtractionFailed,
    InputError,
    OutputError,
    SlackPostError,
    SummarizerError,
)
from summarizer.settings import Settings

from .fakes.fake_openai import FakeOpenAI, Faults

runner = CliRunner()
EXIT_CODES = {
    0,
    *(error.exit_code for error in (ConfigurationError, InputError, EndpointError,
                                    ExtractionFailed, SlackPostError, OutputError, BusyError)),
}  # fmt: skip


def fast(examples: int) -> settings:
    """Hypothesis settings: no per-example deadline (the machine is shared), no health
    checks (the FAKE server makes examples slow), ``examples`` examples. The counts
    below add up to 1,210 generated inputs per run."""
    return settings(
        deadline=None,
        suppress_health_check=list(HealthCheck),
        database=None,
        max_examples=examples,
    )


ARTICLE = (
    "Clashes between troops and rebels near Kafr Zita on Saturday wounded people, a "
    "monitor said.\nResidents described heavy fighting.\n"
)
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200f\u200e"

# Unicode with the awkward parts over-represented: lone surrogates, bidi controls, NUL,
# newlines, combining marks, emoji.
odd_text = st.text(
    alphabet=st.one_of(
        st.characters(codec=None),
        st.sampled_from([*BIDI, "\ud800", "\udfff", "\x00", "\n", "\r", "\u0301", "😀", "/"]),
    ),
    max_size=300,
)
metadata = st.one_of(
    st.none(), odd_text, st.text(min_size=100, max_size=3000), st.just(""), st.just("x" * 121)
)


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults()) as server:
        yield server


@pytest.fixture(scope="module")
def env(fake: FakeOpenAI, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str | None]:
    return {
        "SUMMARIZER_BASE_URL": fake.base_url,
        "SUMMARIZER_MODEL": fake.model,
        "SUMMARIZER_PROMPT_VERSION": "v1",
        "SUMMARIZER_CACHE_DIR": str(tmp_path_factory.mktemp("cache")),
        "SUMMARIZER_TRANSPORT_RETRIES": "0",
        "SUMMARIZER_TRANSPORT_MAX_SECONDS": "1",
        "SUMMARIZER_REQUEST_TIMEOUT": "2",
        "SUMMARIZER_CONNECT_TIMEOUT": "1",
        "SUMMARIZER_MAX_REASKS": "0",
        "SUMMARIZER_API_KEY": None,
        "OPENAI_API_KEY": None,
        "OPENAI_BASE_URL": None,
    }


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("inputs")


def check(result: Any) -> None:
    """A record, or one error line with a SummarizerError's exit code: no traceback."""
    exception = result.exception
    assert exception is None or isinstance(exception, SystemExit), repr(exception)
    assert "Traceback" not in result.output
    assert result.exit_code in EXIT_CODES, (result.exit_code, result.output)
    if result.exit_code != 0:
        message = result.stderr.strip()
        assert message.startswith("error:"), message
        assert message.count("\n") == 0, message


def invoke(env: dict[str, str | None], args: list[str], stdin: bytes | None = None) -> Any:
    """``summarizer ARGS``, through the one-article commands' own Typer app: what the full
    app runs, minus building the click command of every other command for each example
    (Typer's runner rebuilds it per call: 0.14 s, most of an example's time)."""
    root_options(debug=False)  # what the root callback does before every command
    return runner.invoke(commands, args, env=env, input=stdin)


def safe_name(data: bytes) -> str:
    return "f-" + data.hex()[:40] + ".txt"


@fast(250)
@given(data=st.binary(max_size=2000), as_stdin=st.booleans())
def test_random_bytes_as_a_file_or_on_stdin(
    env: dict[str, str | None], work: Path, data: bytes, as_stdin: bool
) -> None:
    if as_stdin:
        check(invoke(env, ["summarize", "-", "--json"], stdin=data))
    else:
        path = work / safe_name(data)
        path.write_bytes(data)
        check(invoke(env, ["summarize", str(path), "--json"]))


@fast(250)
@given(text=odd_text, html=st.booleans())
def test_random_unicode_articles(
    env: dict[str, str | None], work: Path, text: str, html: bool
) -> None:
    body = f"<html><head><title>{text}</title></head><body><p>{ARTICLE}{text}</p></body>" \
        if html else ARTICLE + text  # fmt: skip
    data = body.encode("utf-8", errors="surrogatepass")  # lone surrogates: invalid UTF-8
    path = work / (safe_name(data)[:-4] + (".html" if html else ".txt"))
    path.write_bytes(data)
    check(invoke(env, ["summarize", str(path)]))


@fast(200)
@given(outlet=metadata, published=st.one_of(st.none(), odd_text, st.dates().map(str)))
def test_huge_tiny_and_odd_metadata(
    env: dict[str, str | None], work: Path, outlet: str | None, published: str | None
) -> None:
    path = work / "article.txt"
    path.write_text(ARTICLE, "utf-8")
    args = ["summarize", str(path)]
    # click refuses a NUL in an argument the way the OS would; not what is tested here
    if outlet is not None:
        args += ["--outlet", outlet.replace("\x00", "")]
    if published is not None:
        args += ["--published", published.replace("\x00", "")]
    check(invoke(env, args))


odd_paths = st.one_of(
    odd_text.filter(lambda p: p not in ("-", "") and not p.startswith("-")),
    st.sampled_from(["/", ".", "..", "/dev/null", "/proc/self/status", "/etc", "~",
                     "x" * 5000, "/nonexistent/a.txt", "a\\b", "./" * 300]),
)  # fmt: skip


@fast(150)
@given(path=odd_paths)
def test_odd_paths(env: dict[str, str | None], path: str) -> None:
    check(invoke(env, ["summarize", path.replace("\x00", "")]))


odd_urls = st.builds(
    lambda scheme, port, rest: f"{scheme}://127.0.0.1:{port}/{rest}",
    st.sampled_from(["http", "https", "HTTP", "HtTpS"]),
    st.sampled_from(["9", "1", "65535", "0", "99999", "", "x"]),
    st.one_of(odd_text.map(lambda t: "".join(c for c in t if not c.isspace())),
              st.just("a" * 2100), st.text(string.printable, max_size=50)),
)  # fmt: skip


@fast(100)
@given(url=odd_urls)
def test_odd_urls_on_the_loopback(env: dict[str, str | None], url: str) -> None:
    check(invoke(env, ["summarize", url.replace("\x00", "")]))


odd_saves = st.one_of(
    st.sampled_from(["/nonexistent/x.json", "/dev/full", "/", "/proc/version", ""]),
    odd_text.filter(lambda p: p and not p.startswith("-")),
)


@fast(60)
@given(save=odd_saves)
def test_odd_save_targets(env: dict[str, str | None], work: Path, save: str) -> None:
    path = work / "article.txt"
    path.write_text(ARTICLE, "utf-8")
    target = save.replace("\x00", "")
    if target and not target.startswith("/"):
        target = str(work / "saves" / target)  # relative names land in the test's folder
    check(invoke(env, ["summarize", str(path), "--save", target]))


@fast(200)
@given(source=st.one_of(odd_text, st.binary(max_size=500).map(lambda b: b.decode("latin-1"))),
       outlet=metadata)  # fmt: skip
def test_the_api_raises_only_summarizer_errors(
    fake: FakeOpenAI, work: Path, source: str, outlet: str | None
) -> None:
    config = Settings(base_url=fake.base_url, model=fake.model, prompt_version="v1",
                      cache_dir=work / "api-cache", transport_retries=0, max_reasks=0)  # fmt: skip
    try:
        report = summarize(ARTICLE + source, outlet=outlet, settings=config)
    except SummarizerError as error:
        assert error.exit_code in EXIT_CODES
    else:
        assert report.article.outlet is None or len(report.article.outlet) <= 120
