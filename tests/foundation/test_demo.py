"""The demo maps the register's local cameras onto simulated ones and back."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from tests.foundation.helpers import ROOT
from watchkeeper.audit.models import AuditEntry
from watchkeeper.cameras.io import parse_import
from watchkeeper.cameras.models import Camera, CameraKind
from watchkeeper.demo import attach_rig, demo_rig_config, simulated_cameras
from watchkeeper.simulate.rig import RigCamera
from watchkeeper.system import System

BOROUGH = Path(__file__).resolve().parents[2] / "examples" / "borough.yaml"


def test_sample_borough_cameras_become_a_rig_and_the_register_follows(system: System) -> None:
    parsed = parse_import(BOROUGH.read_text(), "borough.yaml")
    with system.db.session() as s:
        system.cameras.apply(s, parsed.cameras, ROOT, "test", sites=parsed.sites)
    cams = simulated_cameras(system)
    assert [c.rig_name for c in cams] == [f"cam{i}" for i in range(1, 7)]
    config = demo_rig_config(cams)
    assert [c.kind for c in config.cameras] == [
        "ptz" if c.kind is CameraKind.PTZ else "fixed" for c in cams
    ]
    assert (config.user, config.password) == (cams[0].user, cams[0].password)
    assert config.rtsp_port == config.onvif_port == config.control_port == 0
    running = [
        RigCamera(
            c.rig_name,
            "fixed",
            f"rtsp://u:p@127.0.0.1:4000/{c.rig_name}/main",
            f"rtsp://u:p@127.0.0.1:4000/{c.rig_name}/sub",
            f"http://127.0.0.1:{5000 + i}/onvif/device_service",
        )
        for i, c in enumerate(cams)
    ]
    attach_rig(system, cams, running, ROOT)
    attach_rig(system, cams, running, ROOT)  # nothing changes the second time
    with system.db.session() as s:
        cam = s.get(Camera, cams[2].camera_id)
        assert cam is not None and cam.main_url == "rtsp://u:p@127.0.0.1:4000/cam3/main"
        user, password = cams[2].user, cams[2].password
        assert cam.onvif_url == f"http://{user}:{password}@127.0.0.1:5002/onvif/device_service"
        rows = s.scalars(select(AuditEntry).where(AuditEntry.reason.like("demo:%"))).all()
        assert len(rows) == 6 and all("u:p@" not in r.details for r in rows)
        assert all(f":{password}@" not in r.details for r in rows)
    assert [c.camera_id for c in simulated_cameras(system)] == [c.camera_id for c in cams]
