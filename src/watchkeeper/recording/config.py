"""Recorder settings: typed, bounded, described, with defaults that suit 138 cameras."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["RecorderConfig"]


class RecorderConfig(BaseModel):
    """How the recorder cuts segments, detects trouble, reconnects and guards the disk."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    segment_seconds: float = Field(
        60.0, ge=1.0, le=600.0, description="Target segment length; cut at the next keyframe"
    )
    stagger: bool = Field(
        True, description="Shorten each stream's first segment so rotations spread out"
    )
    stall_seconds: float = Field(
        10.0, gt=0.1, le=300.0, description="No packet for this long: the stream is stalled"
    )
    open_timeout_s: float = Field(10.0, gt=0.1, le=120.0, description="RTSP connect timeout")
    backoff_initial_s: float = Field(0.5, ge=0.0, le=60.0, description="First reconnect delay")
    backoff_max_s: float = Field(2.0, ge=0.0, le=600.0, description="Longest reconnect delay")
    stable_uptime_s: float = Field(
        60.0, gt=0.0, le=3600.0, description="Streaming this long resets the back-off"
    )
    offline_after_s: float = Field(
        30.0, gt=0.0, le=3600.0, description="Not streaming this long: state offline (alarm)"
    )
    attempt_event_interval_s: float = Field(
        60.0,
        ge=1.0,
        le=3600.0,
        description="Failed connection attempts: the first is recorded at once, then at most "
        "one event (with the count) this often",
    )
    max_gap_s: float = Field(
        5.0, gt=0.0, le=600.0, description="A forward DTS jump over this starts a new run"
    )
    max_missing_dts: int = Field(
        10, ge=1, le=1000, description="Packets without DTS in a row before reconnecting"
    )
    max_drift_ms: int = Field(
        1000, ge=10, le=60_000, description="Media vs wall clock error that re-anchors a run"
    )
    max_ahead_ms: int = Field(
        50,
        ge=0,
        le=1000,
        description="Media time this far ahead of arrival at a keyframe re-anchors the run",
    )
    slow_clock_window_s: float = Field(
        4.0,
        gt=0.0,
        le=600.0,
        description="Frames late by over max_drift_ms for this long: a slow camera clock, "
        "not a backlog; the timeline is moved on",
    )
    fsync_each_fragment: bool = Field(
        True, description="fdatasync after every GOP, so a power cut loses at most one GOP"
    )
    record_sub: bool = Field(False, description="Record sub-streams too (analytics use them)")
    fanout_queue: int = Field(
        256, ge=1, le=100_000, description="Packets a live/analytics subscriber may lag"
    )
    warn_free_fraction: float = Field(0.15, gt=0, lt=1, description="Free space: warning")
    alarm_free_fraction: float = Field(0.10, gt=0, lt=1, description="Free space: alarm")
    critical_free_fraction: float = Field(
        0.05, gt=0, lt=1, description="Free space: delete oldest unheld footage (logged alarm)"
    )
    reserve_free_bytes: int = Field(
        0,
        ge=0,
        description="Free space to keep, if more than critical_free_fraction: each new segment "
        "first deletes the oldest unheld footage when less is free (a full disk does at once)",
    )
    purge_interval_s: float = Field(600.0, ge=1.0, le=86_400.0, description="Retention run")
    disk_check_interval_s: float = Field(30.0, ge=0.1, le=3600.0, description="Disk check")
    shard_index: int = Field(0, ge=0, description="Which share of cameras this process records")
    shard_count: int = Field(1, ge=1, le=64, description="How many recorder processes share")

    @model_validator(mode="after")
    def _ordered(self) -> RecorderConfig:
        if not self.critical_free_fraction < self.alarm_free_fraction < self.warn_free_fraction:
            raise ValueError("need critical < alarm < warn free fractions")
        if self.backoff_initial_s > self.backoff_max_s:
            raise ValueError("backoff_initial_s must not exceed backoff_max_s")
        if self.shard_index >= self.shard_count:
            raise ValueError("shard_index must be below shard_count")
        return self
