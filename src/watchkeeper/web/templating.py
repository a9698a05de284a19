"""Jinja2 environment for pages, with time filters in Europe/London (``timeutil``)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from watchkeeper.timeutil import format_utc
from watchkeeper.web.forms import REFUSED_STATUSES, FormCheck, mark_refused
from watchkeeper.web.uk import format_uk, format_uk_date, format_uk_duration

__all__ = ["Pages"]

TEMPLATES = Path(__file__).with_name("templates")


class Pages:
    """Renders templates; ``alarms`` (who -> banner content) feeds the alarm banner of
    every page that has a logged-in user."""

    def __init__(self, alarms: Callable[[Any], Any] | None = None) -> None:
        self.alarms = alarms
        self.templates = Jinja2Templates(directory=str(TEMPLATES))
        env = self.templates.env
        # Every page prints UK form (dd/mm/yyyy, 24-hour, London), whatever the browser.
        env.filters["local"] = lambda us: format_uk(us, seconds=True)
        env.filters["utc"] = format_utc
        env.filters["uk"] = format_uk
        env.filters["uk_date"] = format_uk_date
        env.filters["duration"] = format_uk_duration

    def render(
        self, request: Request, name: str, status_code: int = 200, **context: Any
    ) -> HTMLResponse:
        if status_code in REFUSED_STATUSES:
            mark_refused(request)
        if self.alarms is not None and "alarms" not in context:
            context["alarms"] = self.alarms(context.get("who"))
        return self.templates.TemplateResponse(request, name, context, status_code=status_code)

    def render_form(
        self,
        request: Request,
        name: str,
        check: FormCheck | None,
        form: Mapping[str, Any] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """A page with a form. Given the ``check`` that refused a post, it answers 422 with
        each refusal next to its field and what was typed kept in ``form``."""
        return self.render(
            request,
            name,
            status_code=422 if check else 200,
            errors=check.errors if check else {},
            form=form or {},
            **context,
        )
