"""Settings from environment variables and an optional `.env` file, validated at start."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

#: scheme written by the operator -> SQLAlchemy async driver scheme
_DRIVERS: dict[str, str] = {
    "sqlite": "sqlite+aiosqlite",
    "sqlite+aiosqlite": "sqlite+aiosqlite",
    "mysql": "mysql+asyncmy",
    "mariadb": "mysql+asyncmy",
    "mysql+asyncmy": "mysql+asyncmy",
    "mariadb+asyncmy": "mysql+asyncmy",
    "mysql+aiomysql": "mysql+aiomysql",
    "postgres": "postgresql+asyncpg",
    "postgresql": "postgresql+asyncpg",
    "postgresql+asyncpg": "postgresql+asyncpg",
}


class ConfigError(Exception):
    """A setting is invalid; the message is one line meant for the operator."""


def normalise_database_url(raw: str) -> str:
    """Map `mysql://`, `postgres://`, `sqlite:///` and friends to their async driver URLs."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ValueError(
            "DATABASE_URL is not a URL; expected e.g. sqlite:///.data/hitcircle.db, "
            "mysql://user:pass@host/db or postgresql://user@host/db"
        ) from None
    driver = _DRIVERS.get(url.drivername)
    if driver is None:
        raise ValueError(
            f"DATABASE_URL scheme {url.drivername!r} is not supported; "
            "use sqlite, mysql/mariadb or postgresql"
        )
    url = url.set(drivername=driver)
    if driver.startswith("sqlite"):
        if not url.database or url.database == ":memory:":
            raise ValueError("DATABASE_URL for sqlite needs a file path, e.g. sqlite:///.data/hitcircle.db")
    elif not url.database:
        raise ValueError("DATABASE_URL must name a database, e.g. mysql://root@127.0.0.1/banchopy")
    return url.render_as_string(hide_password=False)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    domain: str = Field(default="localhost", alias="DOMAIN")
    database_url: str | None = Field(default=None, alias="DATABASE_URL")
    redis_url: str | None = Field(default=None, alias="REDIS_URL")
    data_dir: Path = Field(default=Path(".data"), alias="DATA_DIR")
    host: str = Field(default="127.0.0.1", alias="HOST")
    port: int = Field(default=8000, ge=1, le=65535, alias="PORT")
    workers: int = Field(default=1, ge=1, le=64, alias="WORKERS")
    osu_api_key: str | None = Field(default=None, alias="OSU_API_KEY")
    beatmap_source_url: str | None = Field(default=None, alias="BEATMAP_SOURCE_URL")
    pp_backend: Literal["rosu", "akatsuki"] = Field(default="rosu", alias="PP_BACKEND")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(default="INFO", alias="LOG_LEVEL")
    cors_origins: str = Field(default="*", alias="CORS_ORIGINS")
    auto_migrate: bool | None = Field(default=None, alias="AUTO_MIGRATE")
    cache_ttl: float = Field(default=60.0, ge=0, le=86400, alias="CACHE_TTL")
    cache_size: int = Field(default=50_000, ge=0, le=10_000_000, alias="CACHE_SIZE")
    sqlite_mmap_mb: int = Field(default=1024, ge=0, le=1_048_576, alias="SQLITE_MMAP_MB")

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        value = value.strip().lower().rstrip(".")
        if not value or "/" in value or " " in value:
            raise ValueError("DOMAIN must be a bare host name such as example.com")
        return value

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        return normalise_database_url(value.strip())

    @field_validator("redis_url")
    @classmethod
    def _redis_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("REDIS_URL must start with redis://, rediss:// or unix://")
        return value.strip()

    @field_validator("beatmap_source_url")
    @classmethod
    def _source_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("BEATMAP_SOURCE_URL must be an http(s) URL of a get_beatmaps endpoint")
        return value.strip()

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return URL.create("sqlite+aiosqlite", database=str(self.data_dir / "hitcircle.db")).render_as_string()

    @property
    def is_embedded(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def should_auto_migrate(self) -> bool:
        return self.is_embedded if self.auto_migrate is None else self.auto_migrate

    @property
    def cors_origin_list(self) -> list[str]:
        return [o.strip() for o in self.cors_origins.split(",") if o.strip()]


def load_settings(*, env_file: str | None = ".env", **overrides: object) -> Settings:
    """Build settings, turning validation errors into one readable line per bad setting.

    `overrides` use the environment names (`DATABASE_URL=...`); `env_file=None` ignores `.env`.
    """
    try:
        return Settings(_env_file=env_file, **overrides)  # type: ignore[call-arg, arg-type]
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else "settings"
            message = str(error["msg"]).removeprefix("Value error, ")
            problems.append(f"{name.upper()}: {message}")
        raise ConfigError("invalid configuration: " + "; ".join(problems)) from None
