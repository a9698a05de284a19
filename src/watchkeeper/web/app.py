"""Build the web app from a :class:`System` (no import-time globals)."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from watchkeeper import __version__
from watchkeeper.live.hls import LiveHls
from watchkeeper.recording.camera_health import CameraHealthReport
from watchkeeper.system import System
from watchkeeper.web.alarms import AlarmWatch
from watchkeeper.web.errors import install_error_handlers
from watchkeeper.web.routers import (
    analytics,
    analytics_pages,
    analytics_setup,
    api_docs,
    audit,
    audit_pages,
    auth,
    cameras,
    client_pages,
    console_pages,
    evidence,
    faults,
    governance_pages,
    health_pages,
    incidents,
    live,
    log_pages,
    pages,
    partner_pages,
    partners,
    people_pages,
    playback,
    police,
    police_portal,
    ptz,
    public_register,
    radio,
    recording_pages,
    records_pages,
    redaction_pages,
    register_pages,
    report_pages,
    requests_pages,
    shifts,
    situation,
    stats,
    user_pages,
    users,
    visitors,
)
from watchkeeper.web.security import SecurityHeaders, VendorFiles
from watchkeeper.web.templating import Pages

__all__ = ["create_app", "find_vendor_dir"]

log = logging.getLogger(__name__)
STATIC = Path(__file__).with_name("static")


def find_vendor_dir() -> Path | None:
    """The ``node_modules`` the set-up command filled, looked for above the package."""
    for parent in Path(__file__).resolve().parents:
        candidate = parent / "node_modules"
        if (candidate / "htmx.org").is_dir():
            return candidate
    return None


def create_app(system: System) -> FastAPI:
    app = FastAPI(
        title="Watchkeeper",
        version=__version__,
        docs_url=None,  # our own page below: no script from a CDN in this origin
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    app.state.system = system
    app.add_middleware(SecurityHeaders)
    install_error_handlers(app)
    rendered = Pages(alarms=AlarmWatch(system).for_user)
    vendor = find_vendor_dir()
    swagger = vendor is not None and (vendor / "swagger-ui-dist" / "swagger-ui-bundle.js").is_file()
    app.include_router(api_docs.build_router(rendered, swagger))
    app.include_router(auth.build_router(rendered))
    app.include_router(pages.build_router(rendered))
    app.include_router(user_pages.build_router(rendered))
    app.include_router(cameras.router)
    app.include_router(users.router)
    app.include_router(audit.router)
    app.include_router(records_pages.build_router(rendered))
    for records_router in (incidents, radio, shifts, visitors, faults, partners, stats):
        app.include_router(records_router.router)
    app.include_router(playback.build_router(rendered))
    app.include_router(requests_pages.build_router(rendered))
    app.include_router(evidence.build_router(rendered))
    app.include_router(redaction_pages.build_router(rendered))
    app.include_router(console_pages.build_router(rendered))
    app.include_router(log_pages.build_router(rendered))
    app.include_router(recording_pages.build_router(rendered))
    app.include_router(audit_pages.build_router(rendered))
    app.include_router(health_pages.build_router(rendered, CameraHealthReport(system.clock)))
    app.include_router(live.build_router(rendered, LiveHls(system.clock)))
    app.include_router(situation.build_router(rendered))
    app.state.ptz = ptz.make_control(system)
    app.include_router(ptz.build_router(rendered))
    app.include_router(analytics.router)
    app.include_router(analytics_pages.build_router(rendered))
    app.include_router(analytics_setup.build_router(rendered))
    for governance_router in (governance_pages, people_pages, client_pages, partner_pages,
                              report_pages, public_register):  # fmt: skip
        app.include_router(governance_router.build_router(rendered))
    app.include_router(register_pages.build_router(rendered))  # /cameras/{id}: after fixed paths
    app.include_router(police.build_router(rendered))
    app.include_router(police_portal.build_router(rendered))
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    if vendor is not None:
        app.mount("/vendor", VendorFiles(directory=vendor), name="vendor")
    else:
        log.warning(
            "front-end packages not installed (run the set-up command); pages work "
            "without htmx but lose live search"
        )
    return app
