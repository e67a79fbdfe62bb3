"""Slack credentials from the environment and the Web API client (re-exported by
:mod:`summarizer.slack.poster`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from summarizer.errors import ConfigurationError
from summarizer.settings import Settings
from summarizer.slack.ledger import LEDGER_FILE

__all__ = ["DEFAULT_API_URL", "SlackSettings", "make_client"]

DEFAULT_API_URL = "https://slack.com/api/"


class SlackSettings(BaseSettings):
    """Slack credentials and the ledger's path, from the environment.

    ``SLACK_BOT_TOKEN`` (xoxb-…), ``SLACK_SIGNING_SECRET``, ``SLACK_APP_TOKEN`` (xapp-…,
    Socket Mode only), ``SUMMARIZER_LEDGER_PATH`` and ``SUMMARIZER_SLACK_BASE_URL``.
    """

    model_config = SettingsConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    bot_token: SecretStr | None = Field(
        default=None, validation_alias="SLACK_BOT_TOKEN", description="Bot token (xoxb-…)."
    )
    signing_secret: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_SIGNING_SECRET",
        description="Signing secret that verifies requests from Slack.",
    )
    app_token: SecretStr | None = Field(
        default=None,
        validation_alias="SLACK_APP_TOKEN",
        description="App-level token (xapp-…); set it to run the bot in Socket Mode.",
    )
    ledger_path: Path | None = Field(
        default=None,
        validation_alias="SUMMARIZER_LEDGER_PATH",
        description="SQLite ledger of posted articles (default <cache_dir>/slack-ledger.sqlite3).",
    )
    api_url: str | None = Field(
        default=None,
        validation_alias="SUMMARIZER_SLACK_BASE_URL",
        description="Slack Web API base URL (default https://slack.com/api/); for testing.",
    )

    def require(self, variable: str) -> str:
        """The secret behind ``variable`` (e.g. ``'SLACK_BOT_TOKEN'``), or a
        ConfigurationError that names it (never the value)."""
        fields = {
            "SLACK_BOT_TOKEN": self.bot_token,
            "SLACK_SIGNING_SECRET": self.signing_secret,
            "SLACK_APP_TOKEN": self.app_token,
        }
        secret = fields[variable]
        value = secret.get_secret_value().strip() if secret is not None else ""
        if not value:
            raise ConfigurationError(
                f"{variable} is not set; export it from your Slack app's settings "
                "(Basic Information / OAuth & Permissions)"
            )
        return value

    def ledger_file(self, settings: Settings) -> Path:
        """Where the ledger lives: SUMMARIZER_LEDGER_PATH, else in the cache directory."""
        return self.ledger_path or Path(settings.cache_dir) / LEDGER_FILE


def make_client(
    token: str,
    *,
    base_url: str | None = None,
    rate_limit_retries: int = 5,
    timeout: int = 30,
) -> WebClient:
    """A WebClient that waits out 429 answers (``Retry-After``) up to
    ``rate_limit_retries`` times per call."""
    client = WebClient(token=token, base_url=base_url or DEFAULT_API_URL, timeout=timeout)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries))
    return client
