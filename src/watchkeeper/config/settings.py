"""Process settings, from ``WATCHKEEPER_*`` environment variables and CLI options.

Validated once at start. Default secrets are accepted only in development mode, so
a production server cannot come up with a key everybody can read on the internet.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from watchkeeper.analytics.config import AnalyticsSettings
from watchkeeper.config.sitefile import load_site_file
from watchkeeper.errors import ConfigError
from watchkeeper.recording.config import RecorderConfig

__all__ = ["DEV_SECRET", "Settings", "ensure_secret_file", "load_settings", "with_site_recorder"]

DEV_SECRET = "development-only-secret-change-me"  # noqa: S105


class Settings(BaseSettings):
    """Settings of one Watchkeeper process."""

    model_config = SettingsConfigDict(
        env_prefix="WATCHKEEPER_", env_nested_delimiter="__", extra="forbid"
    )

    mode: Literal["development", "production"] = Field(
        "production",
        description="development accepts default secrets and prints more; production refuses them",
    )
    data_dir: Path = Field(
        Path("data"), description="Folder for the database, recordings, exports and keys"
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL; default is SQLite at DATA_DIR/watchkeeper.db",
        min_length=1,
    )
    host: str = Field("127.0.0.1", description="Address the web server binds to", min_length=1)
    port: int = Field(8080, ge=1, le=65535, description="Port the web server binds to")
    secret_key: str = Field(
        DEV_SECRET, min_length=16, description="Key for sessions and CSRF tokens (keep private)"
    )
    site_file: Path | None = Field(
        None,
        description="YAML site file (sites, areas, cameras) validated and applied at start",
    )
    tls: bool = Field(
        False,
        description="True when served over HTTPS (directly or behind a proxy): cookies Secure",
    )
    session_hours: float = Field(12.0, gt=0, le=24 * 7, description="Log-in session lifetime")
    max_failed_logins: int = Field(
        5, ge=1, le=100, description="Failed log-ins on one account, in the window, before lock-out"
    )
    max_failed_logins_per_source: int = Field(
        20,
        ge=1,
        le=10_000,
        description="Failed log-ins from one address, in the window, before it is refused",
    )
    lockout_minutes: int = Field(
        15,
        ge=1,
        le=24 * 60,
        description="Window in which failures are counted; a lock ends when it passes",
    )
    audit_checkpoint_minutes: float = Field(
        10,
        gt=0,
        le=24 * 60,
        description="How often the server appends a signed audit checkpoint to the data folder",
    )
    incident_hold_days: int = Field(
        90,
        ge=1,
        le=3660,
        description="Days footage marked on an incident stays held after the span ends",
    )
    map_tile_url: str = Field(
        "",
        max_length=500,
        pattern=r"^(|https?://[^\s'\";]+)$",
        description="Map tiles for the camera map, e.g. https://tiles.example/{z}/{x}/{y}.png "
        "(a server you are licensed to use); empty: the plain vector map of the register",
    )
    operator_name: str = Field(
        "Borough Council CCTV Control Centre",
        min_length=1,
        max_length=200,
        description="Who operates the cameras, as the published camera register names it",
    )
    hold_reminder_days: int = Field(
        7,
        ge=1,
        le=365,
        description="Days before a footage hold lapses that the dashboard and the holds page "
        "remind of it; an open incident's holds are extended when they come this close",
    )
    incident_hold_extend_days: int = Field(
        30,
        ge=1,
        le=3660,
        description="Days an open incident's footage hold is extended by, each time audited",
    )
    recorder: RecorderConfig = Field(
        default_factory=RecorderConfig,
        description="Recorder: segment length, back-off, disk thresholds "
        "(env WATCHKEEPER_RECORDER__SEGMENT_SECONDS=30 and so on)",
    )
    analytics: AnalyticsSettings = Field(
        default_factory=AnalyticsSettings,
        description="Motion, tamper and MQTT (env WATCHKEEPER_ANALYTICS__MQTT_HOST and so on)",
    )

    @model_validator(mode="after")
    def _no_default_secret_in_production(self) -> Settings:
        if self.secret_key == DEV_SECRET and self.secret_file.is_file():
            self.secret_key = self.secret_file.read_text(encoding="utf-8").strip()
        if self.mode == "production" and self.secret_key == DEV_SECRET:
            raise ValueError(
                "WATCHKEEPER_SECRET_KEY is the development default; set a private key, "
                "run `watchkeeper init` to make one in the data folder, "
                "or use WATCHKEEPER_MODE=development for a demo"
            )
        return self

    @property
    def secret_file(self) -> Path:
        return self.data_dir / "secret.key"

    @property
    def db_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'watchkeeper.db').resolve()}"


def ensure_secret_file(data_dir: Path) -> bool:
    """Create ``secret.key`` (mode 0600) in the data folder if missing; True if created."""
    path = data_dir / "secret.key"
    if path.exists():
        return False
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secrets.token_urlsafe(48))
    return True


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment with CLI overrides (``None`` means not given)."""
    given = {k: v for k, v in overrides.items() if v is not None}
    try:
        settings = Settings(**given)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            field = ".".join(str(p) for p in err["loc"]) or "settings"
            lines.append(f"{field}: {err['msg']}")
        raise ConfigError("invalid settings:\n  " + "\n  ".join(lines)) from exc
    return with_site_recorder(settings)


def with_site_recorder(settings: Settings) -> Settings:
    """The site file's ``recorder:`` section under the environment's recorder fields.

    A field set by ``WATCHKEEPER_RECORDER__*`` wins; the file's errors name file, line and
    field like every other site-file error.
    """
    if settings.site_file is None:
        return settings
    site = load_site_file(settings.site_file)
    if site.recorder is None:
        return settings
    merged = {
        **site.recorder.model_dump(exclude_unset=True),
        **settings.recorder.model_dump(exclude_unset=True),
    }
    try:
        recorder = RecorderConfig.model_validate(merged)
    except ValidationError as exc:
        raise ConfigError(f"{settings.site_file}: recorder: {exc.errors()[0]['msg']}") from exc
    return settings.model_copy(update={"recorder": recorder})
