"""The demo's simulated cameras: a rig for the register's cameras that point at this machine.

The sample borough gives a handful of town-centre cameras stream URLs on 127.0.0.1 (paths
``/camN/main``). The demo starts one simulated camera for each, of the same kind (PTZ or
fixed), on free ports, then writes the rig's real addresses into the register, audited,
so the recorder and the live wall find them exactly as they would find real cameras.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from sqlalchemy import select

from watchkeeper.audit.service import Actor, record
from watchkeeper.cameras.models import Camera, CameraKind
from watchkeeper.cameras.redact import redact_url
from watchkeeper.ptz.directory import PtzDirectory
from watchkeeper.ptz.zones import Lens
from watchkeeper.simulate import CameraSpec, RigConfig
from watchkeeper.simulate.ptz import MAX_ZOOM, SCENE_SIZE
from watchkeeper.simulate.rig import RigCamera
from watchkeeper.system import System

__all__ = ["SimulatedCamera", "attach_rig", "demo_rig_config", "simulated_cameras"]

LOCAL_HOSTS = {"127.0.0.1", "localhost"}
PATH = re.compile(r"^/(cam\d+)/main$")
SCENES = ("vtest", "street", "carpark", "plaza")
# The simulated PTZ camera crops a 16:9 view from its scene (simulate.ptz.viewport).
SIMULATOR_LENS = Lens(
    r0_u=min(SCENE_SIZE[0], SCENE_SIZE[1] * 16 / 9) / SCENE_SIZE[0],
    r0_v=min(SCENE_SIZE[1], SCENE_SIZE[0] * 9 / 16) / SCENE_SIZE[1],
    zoom_max=MAX_ZOOM,
    k=1.0,
).to_json()


@dataclass(frozen=True)
class SimulatedCamera:
    camera_id: str
    rig_name: str
    kind: CameraKind
    user: str
    password: str


def simulated_cameras(system: System) -> list[SimulatedCamera]:
    """Register cameras whose main stream is a ``/camN/main`` URL on this machine."""
    found = []
    with system.db.session() as s:
        for cam in s.scalars(select(Camera).order_by(Camera.id)):
            url = urlsplit(cam.main_url)
            match = PATH.match(url.path)
            if url.hostname in LOCAL_HOSTS and match:
                found.append(
                    SimulatedCamera(
                        cam.id,
                        match.group(1),
                        cam.kind,
                        url.username or "admin",
                        url.password or "admin",
                    )
                )
    return found


def demo_rig_config(cams: list[SimulatedCamera]) -> RigConfig:
    """One simulated camera per register camera, on free ports, 720p main streams.

    The rig takes its credentials from the register's URLs, as a real camera's are set
    to what the register holds.
    """
    specs = [
        CameraSpec(
            name=c.rig_name,
            kind="ptz" if c.kind is CameraKind.PTZ else "fixed",
            scene="vtest" if c.kind is CameraKind.PTZ else SCENES[i % len(SCENES)],
            main="720p",
        )
        for i, c in enumerate(cams)
    ]
    return RigConfig(
        rtsp_port=0,
        onvif_port=0,
        control_port=0,
        user=cams[0].user,
        password=cams[0].password,
        cameras=specs,
    )


def attach_rig(
    system: System, cams: list[SimulatedCamera], running: list[RigCamera], actor: Actor
) -> None:
    """Point the register's cameras at the running rig (stream and ONVIF URLs), audited.

    The ONVIF URL carries the camera's credentials, as the register keeps them for real
    cameras; PTZ cameras get the simulator's lens, so privacy zones mask exactly.
    """
    by_name = {r.name: r for r in running}
    with system.db.session() as s:
        for c in cams:
            rig_cam = by_name[c.rig_name]
            cam = s.get(Camera, c.camera_id)
            assert cam is not None
            new = {
                "main_url": rig_cam.main_url,
                "sub_url": rig_cam.sub_url,
                "onvif_url": rig_cam.onvif_url.replace(
                    "http://", f"http://{quote(c.user, safe='')}:{quote(c.password, safe='')}@"
                ),
            }
            if all(getattr(cam, k) == v for k, v in new.items()):
                continue
            for key, value in new.items():
                setattr(cam, key, value)
            cam.updated_us = system.clock.now_us()
            record(
                s,
                actor,
                "camera.update",
                "camera",
                cam.id,
                "demo: simulated camera started",
                {k: redact_url(v) for k, v in new.items()},
                clock=system.clock,
            )
    directory = PtzDirectory(system.db, system.clock)
    for c in cams:
        if c.kind is CameraKind.PTZ:
            directory.set_lens(c.camera_id, SIMULATOR_LENS)
