"""Alert rules: zone x object x schedule, loitering, cool-down; and one firing end to end
from real footage through the recorder's fan-out into the queue and onto MQTT."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from sqlalchemy import select

from tests.analytics.conftest import CAMERA
from tests.analytics.helpers import wait_for
from tests.analytics.test_mqtt import Listener
from watchkeeper.analytics.models import Alert, AlertRule
from watchkeeper.analytics.pipeline import AnalyserConfig
from watchkeeper.analytics.rules import Presence, RuleEngine, RuleSpec, in_schedule
from watchkeeper.analytics.service import AnalyticsService
from watchkeeper.mqtt.client import MqttLink, MqttSettings
from watchkeeper.mqtt.topics import CameraTopic, Topics
from watchkeeper.system import System
from watchkeeper.timeutil import LONDON, from_datetime

S = 1_000_000


def local(h: int, m: int = 0, day: int = 2) -> int:
    return from_datetime(datetime(2026, 12, day, h, m, tzinfo=LONDON))


CAR_PARK = RuleSpec(1, "car park closed", "CP-1", "bays", "person", 23 * 60, 6 * 60, 0, 300)
CASHPOINT = RuleSpec(2, "loitering at cashpoint", "CP-1", "atm", "person", 0, 1440, 30, 60)


def test_schedule_crosses_midnight() -> None:
    assert in_schedule(local(23, 30), 23 * 60, 6 * 60)
    assert in_schedule(local(2), 23 * 60, 6 * 60)
    assert not in_schedule(local(12), 23 * 60, 6 * 60)
    assert not in_schedule(local(6), 23 * 60, 6 * 60)
    assert in_schedule(local(12), 0, 1440)


def test_rule_fires_in_zone_and_schedule_and_not_outside_them() -> None:
    eng = RuleEngine([CAR_PARK])
    night = local(2)
    assert eng.observe(Presence("CP-1", "bays", "person", night, night))  # fires
    assert not RuleEngine([CAR_PARK]).observe(
        Presence("CP-1", "bays", "person", local(12), local(12))
    )
    assert not RuleEngine([CAR_PARK]).observe(Presence("CP-1", "road", "person", night, night))
    assert not RuleEngine([CAR_PARK]).observe(Presence("CP-1", "bays", "motion", night, night))
    assert not RuleEngine([CAR_PARK]).observe(Presence("CP-2", "bays", "person", night, night))


def test_cool_down_and_one_alert_per_presence() -> None:
    eng = RuleEngine([CAR_PARK])
    t = local(1)
    assert len(eng.observe(Presence("CP-1", "bays", "person", t, t))) == 1
    assert eng.observe(Presence("CP-1", "bays", "person", t, t + 10 * S)) == []  # same presence
    assert eng.observe(Presence("CP-1", "bays", "person", t + 60 * S, t + 60 * S)) == []  # cooling
    assert len(eng.observe(Presence("CP-1", "bays", "person", t + 400 * S, t + 400 * S))) == 1


def test_loitering_needs_its_seconds() -> None:
    eng = RuleEngine([CASHPOINT])
    t = local(14)
    assert eng.observe(Presence("CP-1", "atm", "person", t, t + 29 * S)) == []
    fired = eng.observe(Presence("CP-1", "atm", "person", t, t + 31 * S))
    assert len(fired) == 1 and fired[0].at_us == t + 30 * S


def test_a_rule_fires_from_real_motion_into_the_queue_and_mqtt(
    recording_system: System, broker: tuple[str, int]
) -> None:
    system = recording_system
    assert system.recorder is not None
    now = system.clock.now_us()
    with system.db.session() as s:
        s.add(AlertRule(name="plaza watch", camera_id=CAMERA, zone="all", object="motion",
                        start_min=0, end_min=1440, loiter_s=1, cooldown_s=3600, active=True,
                        updated_us=now, updated_by="test"))  # fmt: skip
    prefix = f"wk-{uuid.uuid4().hex[:8]}"
    topics = Topics(prefix, f"{prefix}-ha")
    listener = Listener(*broker, f"{prefix}/+/alert")
    link = MqttLink(MqttSettings(*broker, client_id=f"wk-{prefix}"), topics)
    service = AnalyticsService(system.db, system.clock, system.recorder, link,
                               AnalyserConfig(quiet_s=1.0, max_span_s=30.0))  # fmt: skip
    service.start()
    try:

        def alerts() -> list[Alert]:
            with system.db.session() as s:
                rows = list(s.scalars(select(Alert)))
                s.expunge_all()
                return rows

        got = wait_for("an alert", alerts)
        assert len(got) == 1  # cool-down: one alert for the hour however long people walk
        a = got[0]
        assert (a.camera_id, a.zone, a.object, a.status) == (CAMERA, "all", "motion", "open")
        assert a.end_us - a.start_us >= S  # loitered a second first
        msgs = wait_for(
            "the alert on MQTT", lambda: listener.find(topics.camera(CAMERA, CameraTopic.ALERT))
        )
        body = json.loads(msgs[0][1])
        assert body["rule"] == "plaza watch" and body["id"] == a.id and body["kind"] == "alert"
        assert not msgs[0][2]  # alerts are events, not retained state
    finally:
        service.stop()
        listener.close()


def test_a_person_rule_fires_from_detections_on_real_footage(
    recording_system: System, broker: tuple[str, int]
) -> None:
    from watchkeeper.analytics.detect import load_detector
    from watchkeeper.analytics.models import DetectionRow

    system = recording_system
    assert system.recorder is not None
    now = system.clock.now_us()
    with system.db.session() as s:
        s.add(AlertRule(name="people in the plaza", camera_id=CAMERA, zone="all", object="person",
                        start_min=0, end_min=1440, loiter_s=0, cooldown_s=3600, active=True,
                        updated_us=now, updated_by="test"))  # fmt: skip
    config = AnalyserConfig(quiet_s=1.0)
    prefix = f"wk-{uuid.uuid4().hex[:8]}"
    topics = Topics(prefix, f"{prefix}-ha")
    listener = Listener(*broker, f"{prefix}/+/detection")
    link = MqttLink(MqttSettings(*broker, client_id=f"wk-{prefix}"), topics)
    service = AnalyticsService(
        system.db, system.clock, system.recorder, link, config=config, detector=load_detector()
    )
    service.start()
    try:

        def person_alerts() -> list[Alert]:
            with system.db.session() as s:
                rows = list(s.scalars(select(Alert).where(Alert.object == "person")))
                s.expunge_all()
                return rows

        got = wait_for("a person alert", person_alerts, 90)
        assert got[0].rule_name == "people in the plaza"
        with system.db.session() as s:
            det = s.scalars(select(DetectionRow)).first()
            assert det is not None and det.label == "person" and det.score >= 1.0
            assert det.crop is not None and det.crop[:2] == b"\xff\xd8"
        assert service.detectors is not None and service.detectors.done > 0
        msgs = wait_for(
            "a detection on MQTT", lambda: listener.find(topics.camera(CAMERA, "detection"))
        )
        body = json.loads(msgs[0][1])
        assert body["label"] == "person" and body["score"] >= 1.0 and body["zone"] == "all"
        assert len(body["box"]) == 4 and all(0 <= v <= 1 for v in body["box"])
    finally:
        service.stop()
        listener.close()
