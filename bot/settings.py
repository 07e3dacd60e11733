"""Bot configuration from the environment or a ``.env`` file (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AnyUrl, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"


class BotSettings(BaseSettings):
    """Everything ``claimcheck run`` reads. Names are the environment variables."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False)

    discord_token: SecretStr = Field(validation_alias="DISCORD_TOKEN")
    database_path: Path = Field(default=Path("claimcheck.db"), validation_alias="CLAIMCHECK_DATABASE")
    rules_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=list, validation_alias="CLAIMCHECK_RULES_DIRS")
    log_level: str = Field(default="INFO", validation_alias="CLAIMCHECK_LOG_LEVEL")
    discord_api_base: str = Field(default=DEFAULT_API_BASE, validation_alias="DISCORD_API_BASE")
    discord_gateway_url: str = Field(default=DEFAULT_GATEWAY_URL, validation_alias="DISCORD_GATEWAY_URL")
    retention_days: int = Field(default=90, ge=1, le=3650, validation_alias="CLAIMCHECK_RETENTION_DAYS")
    sync_commands: bool = Field(default=True, validation_alias="CLAIMCHECK_SYNC_COMMANDS")

    @field_validator("discord_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("DISCORD_TOKEN is empty")
        return value

    @field_validator("rules_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        # CLAIMCHECK_RULES_DIRS=/srv/rules:/srv/more (like PATH)
        if isinstance(value, str):
            return [part for part in value.split(":") if part.strip()]
        return value

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, value: str) -> str:
        level = value.upper()
        if level not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be one of DEBUG, INFO, WARNING, ERROR")
        return level

    @field_validator("discord_api_base")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _with_scheme(value, "http", DEFAULT_API_BASE).rstrip("/")

    @field_validator("discord_gateway_url")
    @classmethod
    def _ws_url(cls, value: str) -> str:
        return _with_scheme(value, "ws", DEFAULT_GATEWAY_URL)


def _with_scheme(value: str, scheme: str, example: str) -> str:
    """``value`` if it is a URL with ``scheme`` or its secure form (``scheme`` + 's')."""
    if AnyUrl(value).scheme not in (scheme, scheme + "s"):
        raise ValueError(f"must be a {scheme}:// or {scheme}s:// URL, e.g. {example}")
    return value
