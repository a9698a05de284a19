"""Composition root: builds Watchkeeper's services from settings, in a readable order.

Nothing is built at import time. The web app, the CLI and tests each call
:func:`build_system` (tests with a fake clock) and hand the result around.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import partial

from sqlalchemy.exc import SQLAlchemyError

from watchkeeper.analytics.alerts import AlertQueue
from watchkeeper.analytics.detect import load_detector
from watchkeeper.analytics.service import AnalyticsService
from watchkeeper.audit.signing import audit_key
from watchkeeper.auth.service import AuthPolicy, UserService
from watchkeeper.cameras.service import CameraService
from watchkeeper.config.settings import Settings
from watchkeeper.db.engine import Database
from watchkeeper.db.migrate import upgrade
from watchkeeper.errors import ConfigError
from watchkeeper.evidence.jobs import ExportWorker
from watchkeeper.evidence.requests import RequestService
from watchkeeper.governance.services import Governance
from watchkeeper.live.sessions import LiveSessions, session_check
from watchkeeper.mqtt.client import MqttLink
from watchkeeper.playback.service import PlaybackService
from watchkeeper.police.shares import ShareService
from watchkeeper.recording.config import RecorderConfig
from watchkeeper.recording.health import RecordedHealth
from watchkeeper.recording.holds import RecordingHolds
from watchkeeper.recording.service import RecorderService, recordings_root
from watchkeeper.records.faults import FaultService, camera_offline
from watchkeeper.records.hold_keeper import extend_open_incident_holds
from watchkeeper.records.incidents import IncidentService
from watchkeeper.records.partners import PartnerService
from watchkeeper.records.radio import RadioService
from watchkeeper.records.shifts import ShiftService
from watchkeeper.records.visitors import VisitorService
from watchkeeper.redaction.jobs import RedactionWorker
from watchkeeper.storage.setup import segment_files
from watchkeeper.timeutil import Clock, SystemClock

__all__ = [
    "System",
    "build_system",
    "keep_incident_holds",
    "live_recorder_config",
    "start_analytics",
    "start_export_worker",
    "start_recorder",
    "start_redaction_worker",
]

log = logging.getLogger(__name__)


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
    governance: Governance
    """Camera reviews, DPIAs, signage, operators' records, documents, clients, disclosures."""
    shares: ShareService
    """Cameras shared live with the police link (docs/design/police-link.md)."""
    recorder: RecorderService | None = None
    """Set when this process records (``serve``, ``demo``): live video subscribes to it."""

    exports: ExportWorker | None = None
    """Set when this process builds export packages (``serve``, ``demo``)."""
    alerts: AlertQueue | None = None
    """The console's alert queue (analytics rules that fired)."""
    analytics: AnalyticsService | None = None
    """Set when this process analyses the recorder's streams (``serve``, ``demo``)."""

    redactions: RedactionWorker | None = None
    """Set when this process runs redaction jobs (``serve``, ``demo``)."""

    def close(self) -> None:
        if self.analytics is not None:
            self.analytics.stop()
        if self.redactions is not None:
            self.redactions.stop()
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
    governance = Governance.build(clock)
    return System(
        settings=settings,
        clock=clock,
        db=db,
        users=users,
        cameras=cameras,
        incidents=incidents,
        radio=RadioService(clock, incidents),
        shifts=ShiftService(clock, RecordedHealth(clock), gate=governance.documents.require_read),
        visitors=VisitorService(clock),
        faults=FaultService(clock),
        partners=PartnerService(clock),
        playback=PlaybackService(
            recordings_root(settings.data_dir),
            clock,
            segment_files(recordings_root(settings.data_dir), settings.storage),
        ),
        requests=RequestService(clock, CameraService(clock)),
        live=LiveSessions(session_check(db, users, cameras)),
        alerts=AlertQueue(clock, cameras, incidents),
        governance=governance,
        shares=ShareService(clock, cameras),
    )


def live_recorder_config(settings: Settings) -> RecorderConfig:
    """The settings' recorder for a web process: sub-streams recorded too (small live tiles
    play them) unless the settings say otherwise."""
    config = settings.recorder
    if "record_sub" in config.model_fields_set:
        return config
    return config.model_copy(update={"record_sub": True})


def keep_incident_holds(system: System) -> bool:
    """Extend the holds of open incidents before a purge (``records/hold_keeper.py``);
    ``False`` (logged) when that failed, so the purge waits."""
    settings = system.settings
    try:
        with system.db.session() as s:
            done = extend_open_incident_holds(
                s, system.clock, settings.hold_reminder_days, settings.incident_hold_extend_days
            )
    except SQLAlchemyError:
        log.exception("could not extend open incidents' holds; the purge waits")
        return False
    for ext in done:
        log.info("hold %d of open incident %s extended", ext.hold_id, ext.incident_ref)
    return True


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
        before_purge=partial(keep_incident_holds, system),
        remove_object=system.playback.files.remove_object,
    )
    recorder.start()
    system.recorder = recorder
    return recorder


def start_export_worker(system: System) -> ExportWorker:
    """Build export packages in this process (``serve``, ``demo``); resumes unfinished jobs."""
    worker = ExportWorker(
        system.db,
        system.playback.files,
        system.settings.data_dir,
        system.clock,
    )
    worker.start()
    system.exports = worker
    return worker


def start_analytics(system: System) -> AnalyticsService | None:
    """Motion, tamper and alert rules on the recorder's streams, in this process; MQTT when
    a broker is set. Needs the recorder running here; ``None`` when analytics is off."""
    cfg = system.settings.analytics
    if system.recorder is None or not cfg.enabled:
        return None
    try:
        detector = load_detector(cfg.detect_threshold) if cfg.detect else None
    except ConfigError as exc:  # analytics stops here; recording goes on
        log.error("analytics not started: %s", exc)
        return None
    mqtt = cfg.mqtt()
    link = MqttLink(mqtt, cfg.topics()) if mqtt is not None else None
    service = AnalyticsService(
        system.db, system.clock, system.recorder, link, cfg.analyser(), detector
    )
    service.start()
    system.analytics = service
    return service


def start_redaction_worker(system: System) -> RedactionWorker:
    """Analyse and render redactions in this process; resumes interrupted jobs."""
    worker = RedactionWorker(system.db, system.settings.data_dir, system.clock)
    worker.start()
    system.redactions = worker
    return worker
