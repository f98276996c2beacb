"""Settings read from the environment and an optional `.env` file."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{DEFAULT_DATA_DIR / 'rtop.sqlite3'}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr | None = Field(default=None, description="Bot token from the Developer Portal")
    database_url: str = Field(default=DEFAULT_DATABASE_URL)
    dev_guild_id: int | None = None
    log_level: str = "INFO"
    log_format: Literal["text", "json"] = Field(default="text", description="json: one JSON object per log line")
    log_sql_parameters: bool = Field(
        default=False,
        description="Show SQL statements' bound values (people's text) in database errors and DEBUG logs",
    )
    console_output_dir: Path = Field(default=PROJECT_ROOT / "console-output")
    admin_role_ids: str = Field(default="", description="Comma-separated role ids allowed to change data")
    backup_keep: int = Field(default=10, ge=1, description="How many backups of the SQLite store to keep")
    curator_guild_ids: str = Field(
        default="", description="Comma-separated ids of the servers whose admins edit the knowledge every server shares"
    )
    briefing_grace_minutes: int = Field(
        default=60, ge=0, description="A scheduled briefing missed by at most this much still posts once on recovery"
    )
    briefing_poll_seconds: int = Field(default=30, ge=5, description="How often the scheduler checks for due briefings")
    shutdown_grace_seconds: float = Field(
        default=10.0, ge=0, description="On SIGTERM or SIGINT, how long answers and posts under way may take to finish"
    )
    chart_worker_at_start: bool = Field(
        default=True, description="Start the chart worker (matplotlib, fonts) with the bot; false: at the first chart"
    )
    shard_count: int | None = Field(default=None, ge=1, description="Shards in all; None: Discord's recommendation")
    shard_ids: str = Field(default="", description="Comma-separated shard ids this process runs; empty: all of them")

    @property
    def admin_roles(self) -> frozenset[int]:
        return _ids(self.admin_role_ids)

    @property
    def curators(self) -> frozenset[int]:
        return _ids(self.curator_guild_ids)

    @property
    def shards(self) -> list[int] | None:
        """The shard ids this process runs, in order, or None for all (SHARD_IDS needs SHARD_COUNT)."""
        ids = sorted(_ids(self.shard_ids))
        return ids or None

    @model_validator(mode="after")
    def _shard_ids_fit(self) -> Settings:
        ids = self.shards
        if ids is not None and self.shard_count is None:
            raise ValueError("SHARD_IDS needs SHARD_COUNT (the number of shards across every process)")
        if ids is not None and self.shard_count is not None and ids[-1] >= self.shard_count:
            raise ValueError(f"SHARD_IDS are 0 to {self.shard_count - 1} when SHARD_COUNT is {self.shard_count}")
        return self

    @field_validator("discord_token", mode="before")
    @classmethod
    def _blank_token_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("dev_guild_id", "shard_count", mode="before")
    @classmethod
    def _blank_guild_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value


def _ids(text: str) -> frozenset[int]:
    return frozenset(int(x) for x in text.replace(" ", "").split(",") if x.isdigit())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
