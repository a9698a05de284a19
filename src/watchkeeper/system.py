"""Composition root: builds Watchkeeper's services from settings, in a readable order.

Nothing is built at import time. The web app, the CLI and tests each call
:func:`build_system` (tests with a fake clock) and hand the result around.
"""

from __future__ import annotations

from dataclasses import dataclass

from watchkeeper.audit.signing import audit_key
from watchkeeper.auth.service import AuthPolicy, UserService
from watchkeeper.cameras.service import CameraService
from watchkeeper.config.settings import Settings
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.evidence.jobs import ExportWorker
from watchkeeper.evidence.requests import RequestService
from watchkeeper.live.sessions import LiveSessions, session_check
from watchkeeper.playback.service import PlaybackService
from watchkeeper.police.shares import ShareService
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.health import RecordedHealth
from watchkeeper.recording.holds import RecordingHolds
from watchkeeper.recording.service import RecorderService, recordings_root
from watchkeeper.records.faults import FaultService, camera_offline
from watchkeeper.records.incidents import IncidentService
from watchkeeper.records.partners import PartnerService
from watchkeeper.records.radio import RadioService
from watchkeeper.records.shifts import ShiftService
from watchkeeper.records.visitors import VisitorService
from watchkeeper.timeutil import Clock, SystemClock

__all__ = [
    "System",
    "build_system",
    "live_recorder_config",
    "start_export_worker",
    "start_recorder",
]


@dataclass
class System:
    settings: Settings
    clock: Clock
    db: Database
    users: UserService
    cameras: CameraService
    incidents: IncidentService
    radio: RadioService
    shifts: ShiftService
    visitors: VisitorService
    faults: FaultService
    partners: PartnerService
    playback: PlaybackService
    requests: RequestService
    live: LiveSessions
    """Open live sockets, re-checked against their sessions; log-out ends its own."""
    shares: ShareService
    """Cameras shared live with the police link (docs/design/police-link.md)."""
    recorder: RecorderService | None = None
    """Set when this process records (``serve``, ``demo``): live video subscribes to it."""

    exports: ExportWorker | None = None
    """Set when this process builds export packages (``serve``, ``demo``)."""

    def close(self) -> None:
        if self.exports is not None:
            self.exports.stop()
        if self.recorder is not None:
            self.recorder.stop()
        self.db.dispose()


def build_system(settings: Settings, clock: Clock | None = None, migrate: bool = True) -> System:
    clock = clock or SystemClock()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database(settings.db_url, audit_key=audit_key(settings.secret_key))
    if migrate:
        upgrade(db.engine)
    policy = AuthPolicy(
        max_failed_logins=settings.max_failed_logins,
        max_failed_per_source=settings.max_failed_logins_per_source,
        lockout_minutes=settings.lockout_minutes,
        session_hours=settings.session_hours,
    )
    incidents = IncidentService(clock, RecordingHolds(clock), hold_days=settings.incident_hold_days)
    users = UserService(clock, policy)
    cameras = CameraService(clock)
    return System(
        settings=settings,
        clock=clock,
        db=db,
        users=users,
        cameras=cameras,
        incidents=incidents,
        radio=RadioService(clock, incidents),
        shifts=ShiftService(clock, RecordedHealth(clock)),
        visitors=VisitorService(clock),
        faults=FaultService(clock),
        partners=PartnerService(clock),
        playback=PlaybackService(recordings_root(settings.data_dir), clock),
        requests=RequestService(clock, CameraService(clock)),
        live=LiveSessions(session_check(db, users, cameras)),
        shares=ShareService(clock, cameras),
    )


def live_recorder_config(settings: Settings) -> RecorderConfig:
    """The settings' recorder for a web process: sub-streams recorded too (small live tiles
    play them) unless the settings say otherwise."""
    config = settings.recorder
    if "record_sub" in config.model_fields_set:
        return config
    return config.model_copy(update={"record_sub": True})


def start_recorder(system: System, config: RecorderConfig | None = None) -> RecorderService:
    """Record in this process (``record``, ``serve``, ``demo``); live video uses its fan-out.

    ``config`` defaults to the settings' recorder section.
    """
    recorder = RecorderService(
        system.db,
        system.playback.root,
        config or system.settings.recorder,
        system.clock,
        on_offline=camera_offline,
    )
    recorder.start()
    system.recorder = recorder
    return recorder


def start_export_worker(system: System) -> ExportWorker:
    """Build export packages in this process (``serve``, ``demo``); resumes unfinished jobs."""
    worker = ExportWorker(
        system.db,
        system.playback.root,
        system.settings.data_dir,
        system.clock,
    )
    worker.start()
    system.exports = worker
    return worker
