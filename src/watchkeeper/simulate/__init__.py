"""Simulated council cameras: real RTSP, real footage, a virtual PTZ head, ONVIF, faults.

Public surface (importing it does not load GStreamer; only the rig process does)::

    Rig, RigCamera, send_fault           start a rig and drive it     (rig)
    RigConfig, CameraSpec, default_cameras, load_rig_config            (config)
    FaultKind                            what can go wrong            (faults)
    ensure_footage                       make the cached clips        (footage)
    decode_clock_code                    read the PTZ capture clock   (clockcode)
"""

from __future__ import annotations

from watchkeeper.simulate.clockcode import decode_clock_code
from watchkeeper.simulate.config import CameraSpec, RigConfig, default_cameras, load_rig_config
from watchkeeper.simulate.faults import FaultKind
from watchkeeper.simulate.footage import ensure_footage
from watchkeeper.simulate.rig import Rig, RigCamera, send_fault

__all__ = [
    "CameraSpec",
    "FaultKind",
    "Rig",
    "RigCamera",
    "RigConfig",
    "decode_clock_code",
    "default_cameras",
    "ensure_footage",
    "load_rig_config",
    "send_fault",
]
