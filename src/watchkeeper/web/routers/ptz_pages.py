"""The PTZ settings page of a camera, for supervisors: what the camera can do, its clock,
presets, the home preset, the tour and per-camera control priorities."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError as PydanticError
from starlette.concurrency import run_in_threadpool

from watchkeeper.audit.service import record
from watchkeeper.auth.principal import Principal
from watchkeeper.auth.roles import Right, Role
from watchkeeper.errors import ValidationError, WatchkeeperError
from watchkeeper.ptz.capabilities import Capabilities
from watchkeeper.ptz.models import PtzCamera
from watchkeeper.ptz.privacy import MAX_LIFT_MINUTES
from watchkeeper.ptz.sessions import DEFAULT_PRIORITY
from watchkeeper.ptz.tours import TourStep
from watchkeeper.ptz.zones import active
from watchkeeper.system import System
from watchkeeper.timeutil import US_PER_S, format_local
from watchkeeper.web.deps import SystemDep, require
from watchkeeper.web.templating import Pages

__all__ = ["build_router", "parse_tour"]

Supervisor = Annotated[Principal, Depends(require(Right.PTZ_SUPERVISE))]


def parse_tour(text: str) -> list[TourStep]:
    """One step a line: ``preset name, dwell seconds, speed`` (the last two optional)."""
    steps = []
    for n, line in enumerate(text.splitlines(), 1):
        parts = [p.strip() for p in line.split(",")]
        nums: list[float] = []
        while len(parts) > 1 and len(nums) < 2 and _number(parts[-1]):
            nums.insert(0, float(parts.pop()))
        name = ", ".join(parts).strip()
        if not name and not nums:
            continue
        step: dict[str, Any] = {"preset": name}
        step.update(zip(("dwell_s", "speed"), nums, strict=False))
        try:
            steps.append(TourStep.model_validate(step))
        except PydanticError as exc:
            problem = exc.errors()[0]
            field = ".".join(str(x) for x in problem["loc"])
            raise ValidationError(f"tour line {n}: {field}: {problem['msg']}") from None
    return steps


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def build_router(pages: Pages) -> APIRouter:
    router = APIRouter(tags=["ptz"])
    base = "/ptz/cameras/{camera_id}"

    def facts(system: System, who: Principal, camera_id: str) -> dict[str, Any]:
        with system.db.session() as s:
            cam = system.cameras.get(s, who, camera_id)
            row = s.get(PtzCamera, camera_id)
            caps = (
                Capabilities.from_json(row.capabilities)
                if row is not None and row.capabilities not in ("", "{}")
                else None
            )
            return {
                "camera": {"id": cam.id, "name": cam.name, "kind": cam.kind.value},
                "caps": caps,
                "offset_s": None
                if row is None or row.clock_offset_us is None
                else row.clock_offset_us / US_PER_S,
                "home": (row.home_preset, row.home_after_s // 60) if row else ("", 0),
                "tour_text": "\n".join(
                    f"{x['preset']}, {x['dwell_s']:g}, {x['speed']:g}"
                    for x in json.loads(row.tour if row else "[]")
                ),
                "priorities": json.loads(row.priorities) if row else {},
            }

    async def show(request: Request, system: System, who: Principal, camera_id: str,
                   error: str = "", status: int = 200) -> Response:  # fmt: skip
        control = request.app.state.ptz
        data = await run_in_threadpool(facts, system, who, camera_id)
        presets = await run_in_threadpool(control.presets.list, camera_id)
        now = system.clock.now_us()
        zones = [
            {"name": z.name, "residential": z.residential,
             "lifted_until": None if active(z.lifted_until_us, now)
             else format_local(z.lifted_until_us or 0)}
            for z in await run_in_threadpool(control.zones.list, camera_id)
        ]  # fmt: skip
        tour = control.tour(camera_id)
        return pages.render(
            request, "ptz.html", status_code=status, who=who, presets=presets, error=error,
            zones=zones, max_lift=MAX_LIFT_MINUTES,
            tour_state=None if tour is None else ("paused" if tour.paused else "running"),
            defaults={r.value: p for r, p in DEFAULT_PRIORITY.items()}, **data,
        )  # fmt: skip

    @router.get(base, include_in_schema=False)
    async def page(
        request: Request, camera_id: str, system: SystemDep, who: Supervisor
    ) -> Response:
        return await show(request, system, who, camera_id)

    async def act(request: Request, system: System, who: Principal, camera_id: str,
                  action: str, details: dict[str, Any], work: Any) -> Response:  # fmt: skip
        await run_in_threadpool(facts, system, who, camera_id)  # visible, or 404
        try:
            await work()
        except WatchkeeperError as exc:
            return await show(request, system, who, camera_id, str(exc), 422)

        def audit() -> None:
            with system.db.session() as s:
                record(s, who.actor, action, "camera", camera_id, "", details, clock=system.clock)

        await run_in_threadpool(audit)
        return RedirectResponse(f"/ptz/cameras/{camera_id}", status_code=303)

    @router.post(base + "/home", include_in_schema=False)
    async def set_home(
        request: Request, camera_id: str, system: SystemDep, who: Supervisor,
        preset: Annotated[str, Form(max_length=100)] = "",
        after_min: Annotated[int, Form(ge=0, le=1440)] = 0,
    ) -> Response:  # fmt: skip
        control = request.app.state.ptz
        details = {"preset": preset, "after_min": after_min}

        async def work() -> None:
            await control.set_home(camera_id, who, preset, after_min * 60)

        return await act(request, system, who, camera_id, "ptz.home", details, work)

    @router.post(base + "/tour", include_in_schema=False)
    async def start_tour(
        request: Request, camera_id: str, system: SystemDep, who: Supervisor,
        steps: Annotated[str, Form(max_length=10_000)] = "",
    ) -> Response:  # fmt: skip
        control = request.app.state.ptz

        async def work() -> None:
            await control.start_tour(camera_id, who, parse_tour(steps))

        return await act(request, system, who, camera_id, "ptz.tour.start", {"steps": steps}, work)

    @router.post(base + "/tour/stop", include_in_schema=False)
    async def stop_tour(
        request: Request, camera_id: str, system: SystemDep, who: Supervisor
    ) -> Response:
        control = request.app.state.ptz
        return await act(request, system, who, camera_id, "ptz.tour.stop", {},
                         lambda: control.stop_tour(camera_id, who))  # fmt: skip

    @router.post(base + "/zones/lift", include_in_schema=False)
    async def lift_zone(
        request: Request, camera_id: str, system: SystemDep, who: Supervisor,
        zone: Annotated[str, Form(max_length=100)] = "",
        reason: Annotated[str, Form(max_length=2000)] = "",
        minutes: Annotated[int, Form(ge=1, le=MAX_LIFT_MINUTES)] = 10,
    ) -> Response:  # fmt: skip
        control = request.app.state.ptz
        await run_in_threadpool(facts, system, who, camera_id)  # visible, or 404
        try:
            await run_in_threadpool(control.zones.lift, camera_id, who, zone, reason, minutes)
        except WatchkeeperError as exc:
            return await show(request, system, who, camera_id, str(exc), 422)
        control.tell_zones(camera_id, await run_in_threadpool(control.zones.describe, camera_id))
        return RedirectResponse(f"/ptz/cameras/{camera_id}", status_code=303)

    @router.post(base + "/priorities", include_in_schema=False)
    async def set_priorities(
        request: Request, camera_id: str, system: SystemDep, who: Supervisor,
        operator: Annotated[str, Form(max_length=4)] = "",
        supervisor: Annotated[str, Form(max_length=4)] = "",
        manager: Annotated[str, Form(max_length=4)] = "",
    ) -> Response:  # fmt: skip
        control = request.app.state.ptz
        given = {Role.OPERATOR: operator, Role.SUPERVISOR: supervisor, Role.MANAGER: manager}

        async def work() -> None:
            chosen = {}
            for role, text in given.items():
                if text.strip():
                    if not text.strip().isdigit() or not 0 <= int(text) <= 100:
                        raise ValidationError(f"{role.value} priority: a whole number 0-100")
                    chosen[role.value] = int(text)
            await run_in_threadpool(control.directory.set_priorities, camera_id, chosen)

        return await act(request, system, who, camera_id, "ptz.priorities",
                         {k.value: v for k, v in given.items()}, work)  # fmt: skip

    return router
