"""One reader and one runner for many articles: ``summarizer batch`` and
``summarizer digest --dir`` read a directory the same way, and the digest summarizes
through the batch runner and its result cache.

The LLM is the FAKE OpenAI server (tests/fakes/fake_openai.py): not a model, it answers
mechanically with grounded records, so these tests exercise the plumbing only.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from summarizer.batch.inputs import InputSources, read_inputs
from summarizer.batch.runner import read_jsonl
from summarizer.cli import app
from summarizer.settings import Settings
from summarizer.slack.feeds import select_items

from .conftest import ARTICLE_IDS, ARTICLES
from .fakes.fake_openai import FakeOpenAI, Faults
from .test_cli_batch import environment


@pytest.fixture
def fake() -> Iterator[FakeOpenAI]:
    with FakeOpenAI(Faults()) as server:
        yield server


def _environment(fake: FakeOpenAI, tmp_path: Path) -> dict[str, str | None]:
    return environment(fake, tmp_path) | {
        "SUMMARIZER_LEDGER_PATH": str(tmp_path / "ledger.sqlite3"),
        "SLACK_BOT_TOKEN": None,
    }


def _mixed_directory(tmp_path: Path) -> Path:
    """Fixture articles at two depths, plus files neither command may read."""
    folder = tmp_path / "articles"
    (folder / "nested" / "deeper").mkdir(parents=True)
    (folder / ".drafts").mkdir()
    names = [f"{ARTICLE_IDS[0]}.txt", f"nested/{ARTICLE_IDS[1]}.TXT",
             f"nested/deeper/{ARTICLE_IDS[2]}.md"]  # fmt: skip
    for name, article_id in zip(names, ARTICLE_IDS, strict=False):
        (folder / name).write_bytes((ARTICLES / f"{article_id}.txt").read_bytes())
    (folder / ".hidden.txt").write_text("a hidden file", "utf-8")
    (folder / ".drafts" / "draft.txt").write_text("under a hidden directory", "utf-8")
    (folder / "notes.json").write_text("{}", "utf-8")
    (folder / "README").write_text("no suffix", "utf-8")
    return folder


def _dry_run_ids(stdout: str) -> list[str]:
    document: dict[str, Any] = json.loads(stdout.partition("\n\n# ")[0])
    return [m["article_id"] for m in document["messages"] if "article_id" in m]


def test_batch_and_digest_read_the_same_directory_the_same_way(tmp_path: Path) -> None:
    folder = _mixed_directory(tmp_path)
    batch_items = read_inputs(folder)
    digest_items, failures = select_items(
        InputSources(directory=folder), settings=Settings(cache_dir=tmp_path)
    )
    assert failures == []
    assert [(i.id, i.path) for i in digest_items] == [(i.id, i.path) for i in batch_items]
    assert [i.id for i in batch_items] == [
        f"{ARTICLE_IDS[0]}.txt",
        f"nested/{ARTICLE_IDS[1]}.TXT",
        f"nested/deeper/{ARTICLE_IDS[2]}.md",
    ], "recursive, article suffixes in any case, hidden files and directories skipped"


def test_the_commands_summarize_the_same_files_and_the_digest_uses_the_batch_cache(
    fake: FakeOpenAI, tmp_path: Path
) -> None:
    """``batch`` and ``digest --dir`` summarize the same files; the digest runs on the
    batch runner, so what the batch stored costs it no request to the FAKE, and neither
    does a second digest."""
    folder = _mixed_directory(tmp_path)
    env = _environment(fake, tmp_path)
    runner = CliRunner()
    out = tmp_path / "out.jsonl"
    batch = runner.invoke(app, ["batch", str(folder), "--out", str(out)], env=env)
    assert batch.exit_code == 0, batch.output
    batch_files = sorted(f"file:{(folder / line['id']).resolve()}" for line in read_jsonl(out))
    assert len(batch_files) == 3
    after_batch = fake.stats.requests
    assert after_batch > 0

    digest = ["digest", "--dir", str(folder), "--dry-run"]
    first = runner.invoke(app, digest, env=env)
    assert first.exit_code == 0, first.output
    assert sorted(_dry_run_ids(first.stdout)) == batch_files
    assert fake.stats.requests == after_batch, "every record came from the batch's cache"

    second = runner.invoke(app, digest, env=env)
    assert second.exit_code == 0, second.output
    assert fake.stats.requests == after_batch, "a second dry run makes zero LLM calls"
    assert second.stdout == first.stdout

    anew = runner.invoke(app, [*digest, "--no-cache"], env=env)
    assert anew.exit_code == 0, anew.output
    assert fake.stats.requests > after_batch, "--no-cache asks the FAKE again"
