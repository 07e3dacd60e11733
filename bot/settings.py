"""Bot configuration from the environment or a ``.env`` file (pydantic-settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import AnyUrl, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.storage import check_database_url

DEFAULT_API_BASE = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"
DEFAULT_DATABASE = "claimcheck.db"


class CommonSettings(BaseSettings):
    """What every command reads: the extra rule directories and the database."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False)

    rules_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=list, validation_alias="CLAIMCHECK_RULES_DIRS")
    database: str = Field(default=DEFAULT_DATABASE, validation_alias="CLAIMCHECK_DATABASE")

    @field_validator("rules_dirs", mode="before")
    @classmethod
    def _split_dirs(cls, value: object) -> object:
        # CLAIMCHECK_RULES_DIRS=/srv/rules:/srv/more (like PATH)
        if isinstance(value, str):
            return [part for part in value.split(":") if part.strip()]
        return value

    @field_validator("database")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)


class BotSettings(CommonSettings):
    """Everything ``claimcheck run`` reads. Names are the environment variables."""

    discord_token: SecretStr = Field(validation_alias="DISCORD_TOKEN")
    log_level: str = Field(default="INFO", validation_alias="CLAIMCHECK_LOG_LEVEL")
    log_format: Literal["text", "json"] = Field(default="text", validation_alias="CLAIMCHECK_LOG_FORMAT")
    discord_api_base: str = Field(default=DEFAULT_API_BASE, validation_alias="DISCORD_API_BASE")
    discord_gateway_url: str = Field(default=DEFAULT_GATEWAY_URL, validation_alias="DISCORD_GATEWAY_URL")
    retention_days: int = Field(default=90, ge=1, le=3650, validation_alias="CLAIMCHECK_RETENTION_DAYS")
    sync_commands: bool = Field(default=True, validation_alias="CLAIMCHECK_SYNC_COMMANDS")
    shard_count: int | None = Field(default=None, ge=1, validation_alias="CLAIMCHECK_SHARD_COUNT")
    shard_ids: Annotated[list[int] | None, NoDecode] = Field(default=None, validation_alias="CLAIMCHECK_SHARD_IDS")
    metrics_port: int | None = Field(default=None, ge=1, le=65535, validation_alias="CLAIMCHECK_METRICS_PORT")
    # "rules" runs without the learned model at all (about 100 MB less); servers then use the rules alone.
    engine: Literal["rules", "rules+model"] = Field(default="rules+model", validation_alias="CLAIMCHECK_ENGINE")

    @field_validator("discord_token")
    @classmethod
    def _token_not_blank(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("DISCORD_TOKEN is empty")
        return value

    @field_validator("shard_ids", mode="before")
    @classmethod
    def _shard_range(cls, value: object) -> object:
        return parse_shard_ids(value) if isinstance(value, str) else value

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

    @model_validator(mode="after")
    def _shards_within_count(self) -> BotSettings:
        if self.shard_ids is not None:
            if self.shard_count is None:
                raise ValueError("CLAIMCHECK_SHARD_IDS needs CLAIMCHECK_SHARD_COUNT (the total over all processes)")
            outside = [shard for shard in self.shard_ids if shard >= self.shard_count]
            if outside:
                raise ValueError(
                    f"CLAIMCHECK_SHARD_IDS: shard {outside[0]} does not exist with CLAIMCHECK_SHARD_COUNT="
                    f"{self.shard_count} (shards are numbered 0 to {self.shard_count - 1})"
                )
        return self


def parse_shard_ids(value: str) -> list[int]:
    """``0-3`` or ``4,5`` (or both, ``0-1,4``) as a sorted list of shard ids."""
    shards: set[int] = set()
    for part in (piece.strip() for piece in value.split(",")):
        first, dash, last = part.partition("-")
        if not first.isdigit() or (dash and not last.isdigit()):
            raise ValueError(f"{value!r} is not a shard range; write e.g. 0-3 or 4,5")
        low, high = int(first), int(last) if dash else int(first)
        if high < low:
            raise ValueError(f"{part!r} runs backwards; write the lower shard first")
        shards.update(range(low, high + 1))
    return sorted(shards)


def _with_scheme(value: str, scheme: str, example: str) -> str:
    """``value`` if it is a URL with ``scheme`` or its secure form (``scheme`` + 's')."""
    if AnyUrl(value).scheme not in (scheme, scheme + "s"):
        raise ValueError(f"must be a {scheme}:// or {scheme}s:// URL, e.g. {example}")
    return value
