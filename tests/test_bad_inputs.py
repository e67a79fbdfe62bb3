"""Hostile and odd inputs (tests/fixtures/bad/, expectations in its README table).

Library: a typed SummarizerError of exactly the expected class, or a valid record.
CLI: one line on stderr and the error's exit code, never a traceback. Inputs that reach
the LLM are answered by the FAKE OpenAI server (not a model).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from summarizer import summarize
from summarizer.cli import app
from summarizer.errors import SummarizerError
from summarizer.grounding import quote_in_text
from summarizer.schema import ArticleReport
from summarizer.settings import Settings
from summarizer.text.chunking import chunk_warning
from summarizer.text.clean import clean_text
from summarizer.text.sources import load_source

from .fakes.fake_openai import FakeOpenAI, Faults, article_of
from .fakes.fake_web import FakeWeb

BAD = Path(__file__).resolve().parent / "fixtures" / "bad"
_ROW = re.compile(r"^\| `([^`]+)` \| .* \| `([^`]+)` \|$")
EXIT = {"InputError": 3, "FetchError": 3}


def table() -> list[tuple[str, str]]:
    rows = []
    for line in (BAD / "README.md").read_text("utf-8").splitlines():
        if match := _ROW.match(line):
            rows.append((match.group(1), match.group(2)))
    return rows


ROWS = table()


def test_the_table_covers_every_fixture_and_enough_cases() -> None:
    files = {p.name + ("/" if p.is_dir() else "") for p in BAD.iterdir() if p.name != "README.md"}
    assert {name for name, _ in ROWS} == files
    assert len(ROWS) >= 25
    allowed = {"InputError", "FetchError", "record", "record: no events", "record: chunks"}
    assert {expected for _, expected in ROWS} <= allowed


def generate(spec: str, into: Path) -> Path:
    kind, size = spec.split()
    count = int(size)
    if kind == "text":
        unit = "Clashes between troops and rebels near Kafr Zita on Saturday wounded people.\n"
        path = into / "generated.txt"
        path.write_text(unit * (count // len(unit) + 1), "utf-8")
        return path
    body = (
        "<p>Clashes between troops and rebels near Kafr Zita on Saturday wounded several "
        "people, a monitor said.</p><p>Residents described heavy fighting through the night.</p>"
    )
    nav = "".join(f'<li><a href="/s/{n}">Section {n}</a></li>' for n in range(200))
    pad = "<script>var x='" + "z" * 1000 + "';</script>"
    filler = (nav + pad) * (count // (len(nav) + len(pad)) + 1)
    path = into / "generated.html"
    path.write_text(f"<html><body><nav><ul>{filler}</ul></nav><article>{body}</article>", "utf-8")
    return path


@pytest.fixture(scope="module")
def servers() -> Iterator[tuple[FakeOpenAI, FakeWeb]]:
    with FakeOpenAI(Faults(), keep_bodies=True) as fake, FakeWeb(slow_seconds=3) as web:
        yield fake, web


def source_of(name: str, web: FakeWeb, tmp_path: Path) -> str | Path:
    path = BAD / name.rstrip("/")
    if path.suffix == ".url":
        return web.base_url + path.read_text("utf-8").strip()
    if path.suffix == ".gen":
        return generate(path.read_text("utf-8"), tmp_path)
    return path


def settings_for(fake: FakeOpenAI, prompt_version: str | None = None) -> Settings:
    """Settings against the FAKE; ``prompt_version`` pins a version where a test checks how
    one kind of prompt renders the article (the one-shot v1 here; v6's rendering is tested
    in tests/test_extraction_units.py and tests/test_prompt_fence.py)."""
    return Settings(
        base_url=fake.base_url,
        model=fake.model,
        fetch_timeout=0.5,
        transport_retries=0,
        **({"prompt_version": prompt_version} if prompt_version else {}),
    )


def check_record(record: ArticleReport, expected: str, source: str | Path) -> None:
    assert ArticleReport.model_validate_json(record.model_dump_json()) == record
    if expected == "record: no events":
        assert record.events == []
    split = [w for w in record.provenance.warnings if w.startswith("article split into")]
    assert bool(split) == (expected == "record: chunks"), record.provenance.warnings
    if isinstance(source, Path) and source.is_file():
        text = clean_text(load_source(source, settings=Settings()).text).text
        for event in record.events:
            assert all(quote_in_text(q, text) for q in event.evidence)


@pytest.mark.parametrize(("name", "expected"), ROWS, ids=[name for name, _ in ROWS])
def test_library_outcome(
    name: str, expected: str, servers: tuple[FakeOpenAI, FakeWeb], tmp_path: Path
) -> None:
    fake, web = servers
    source = source_of(name, web, tmp_path)
    if expected.startswith("record"):
        check_record(summarize(source, settings=settings_for(fake)), expected, source)
        return
    with pytest.raises(SummarizerError) as caught:
        summarize(source, settings=settings_for(fake))
    assert type(caught.value).__name__ == expected, caught.value
    message = str(caught.value)
    assert message and "\n" not in message and "Traceback" not in message


@pytest.mark.parametrize(("name", "expected"), ROWS, ids=[name for name, _ in ROWS])
def test_cli_outcome(
    name: str, expected: str, servers: tuple[FakeOpenAI, FakeWeb], tmp_path: Path
) -> None:
    fake, web = servers
    env = {
        "SUMMARIZER_BASE_URL": fake.base_url,
        "SUMMARIZER_MODEL": fake.model,
        "SUMMARIZER_FETCH_TIMEOUT": "0.5",
        "SUMMARIZER_TRANSPORT_RETRIES": "0",
        "SUMMARIZER_API_KEY": None,
        "OPENAI_API_KEY": None,
    }
    source = source_of(name, web, tmp_path)
    result = CliRunner().invoke(app, ["summarize", str(source), "--jsonl"], env=env)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if expected.startswith("record"):
        assert result.exit_code == 0, result.stderr
        (line,) = result.stdout.splitlines()
        check_record(ArticleReport.model_validate(json.loads(line)), expected, source)
        return
    assert result.exit_code == EXIT[expected], result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr


def test_fence_markers_in_the_text_are_defused(servers: tuple[FakeOpenAI, FakeWeb]) -> None:
    fake, _ = servers
    before = len(fake.stats.bodies)
    summarize(BAD / "fence-close.txt", settings=settings_for(fake, "v1"))
    fenced = article_of(fake.stats.bodies[before])
    assert "Residents described heavy fighting" in fenced, "the text after the fake fence"
    assert "<<<END ARTICLE>>>" not in fenced and "<<END ARTICLE>>" in fenced


def test_template_syntax_reaches_the_endpoint_verbatim(
    servers: tuple[FakeOpenAI, FakeWeb],
) -> None:
    fake, _ = servers
    before = len(fake.stats.bodies)
    summarize(BAD / "template-syntax.txt", settings=settings_for(fake, "v1"))
    sent = article_of(fake.stats.bodies[before])
    source = load_source(BAD / "template-syntax.txt", settings=Settings())
    assert sent == clean_text(source.text).text
    assert "fighters {{ and {# marks, {% half a tag." in sent
    assert "belonged {# per its count #}." in sent


def test_an_obeyed_injection_yields_no_record(tmp_path: Path) -> None:
    with FakeOpenAI(Faults(gullible=True)) as fake:
        with pytest.raises(SummarizerError) as caught:
            summarize(BAD / "prompt-injection.txt", settings=settings_for(fake, "v1"))
        assert type(caught.value).__name__ == "ExtractionFailed"
        assert "500" in str(getattr(caught.value, "last_completion", ""))
        assert fake.stats.requests == 3, "first answer and both re-asks were refused"


def test_a_chunked_record_names_its_chunk_count(servers: tuple[FakeOpenAI, FakeWeb]) -> None:
    fake, _ = servers
    record = summarize(BAD / "long-article.txt", settings=settings_for(fake))
    assert chunk_warning(2) in record.provenance.warnings
