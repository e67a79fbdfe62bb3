"""The README keeps its promises: two commands first, CI runs the test one, settings table."""

from __future__ import annotations

from summarizer.settings import settings_table

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_the_first_lines_give_the_two_commands() -> None:
    head = README.splitlines()[:6]
    assert any(line.startswith("make demo") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_ci_runs_exactly_the_readme_test_command() -> None:
    script = (ROOT / ".ci" / "run").read_text("utf-8")
    commands = [line for line in script.splitlines() if line and not line.startswith("#")]
    assert commands[-1] == "make test"


def test_the_settings_table_is_current() -> None:
    assert settings_table() in README, "regenerate the README's settings table"
