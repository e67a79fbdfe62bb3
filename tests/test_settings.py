"""Settings: environment variables, explicit values win, endpoint resolution."""

from __future__ import annotations

import pytest

from summarizer.api import resolve_endpoint
from summarizer.errors import ConfigurationError
from summarizer.settings import Settings


def test_environment_and_openai_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:11434/v1")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-real-key")
    monkeypatch.setenv("SUMMARIZER_MODEL", "qwen2.5:1.5b")
    settings = Settings()
    assert settings.base_url == "http://localhost:11434/v1"
    assert settings.api_key is not None and "sk-test" not in repr(settings)
    assert settings.endpoint_host == "localhost"


def test_explicit_values_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUMMARIZER_MODEL", "from-env")
    monkeypatch.setenv("SUMMARIZER_MAX_REASKS", "5")
    settings = Settings(model="explicit")
    assert settings.model == "explicit" and settings.max_reasks == 5


def test_a_base_url_without_a_model_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMARIZER_MODEL", raising=False)
    with pytest.raises(ConfigurationError, match="set SUMMARIZER_MODEL"):
        resolve_endpoint(Settings(base_url="http://localhost:8000/v1"))


def test_a_bare_api_key_means_openai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUMMARIZER_MODEL", raising=False)
    endpoint = resolve_endpoint(Settings(api_key="sk-test-not-a-real-key"))
    assert endpoint.base_url == "https://api.openai.com/v1" and endpoint.model == "gpt-4o-mini"
    assert "sk-test" not in repr(endpoint)


def test_bad_values_are_configuration_errors_naming_what_to_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SUMMARIZER_REQUEST_TIMEOUT", "soon")
    with pytest.raises(ConfigurationError, match="SUMMARIZER_REQUEST_TIMEOUT='soon'"):
        Settings()
    monkeypatch.delenv("SUMMARIZER_REQUEST_TIMEOUT")
    with pytest.raises(ConfigurationError, match="max_reasks=-1: Input should be greater"):
        Settings(max_reasks=-1)


def test_prompt_versions_are_normalised() -> None:
    assert Settings(prompt_version="2").prompt_version == "v2"
    assert Settings(prompt_version="V3").prompt_version == "v3"
    with pytest.raises(ConfigurationError, match="not of the form v1, v2"):
        Settings(prompt_version="latest")
