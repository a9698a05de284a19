"""Every right of every role, in one table (default deny).

A route, a CLI command or a service that needs permission names one :class:`Right`;
:data:`RIGHTS` says which roles hold it. Nothing else grants anything. The role
matrix test walks every route of the web app against this table.
"""

from __future__ import annotations

import enum

__all__ = ["LICENSED_ROLES", "POLICE_ROLES", "RIGHTS", "Right", "Role", "has_right"]


class Role(enum.StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    DPO = "dpo"
    AUDITOR = "auditor"
    POLICE_LIAISON = "police_liaison"
    CLIENT_VIEWER = "client_viewer"
    PARTNER_MEMBER = "partner_member"
    ADMIN = "admin"
    POLICE_VIEWER = "police_viewer"
    """Force control room: live view of the cameras shared with the police link, nothing else."""
    POLICE_OFFICER = "police_officer"
    """Investigating officer: files requests on the police portal, collects released packages."""


class Right(enum.StrEnum):
    CAMERAS_VIEW = "cameras.view"
    """See the camera register (client viewers: their client's cameras only)."""
    CAMERAS_MANAGE = "cameras.manage"
    """Add, change, import, activate or decommission cameras."""
    USERS_VIEW = "users.view"
    USERS_MANAGE = "users.manage"
    AUDIT_VIEW = "audit.view"
    AUDIT_VERIFY = "audit.verify"
    VIDEO_LIVE = "video.live"
    VIDEO_PLAYBACK = "video.playback"
    PTZ_CONTROL = "ptz.control"
    PTZ_SUPERVISE = "ptz.supervise"
    """Lock a camera to a user, set tours, home presets and per-camera priorities."""
    HOLDS_VIEW = "holds.view"
    HOLDS_CREATE = "holds.create"
    HOLDS_RELEASE = "holds.release"
    INCIDENTS_VIEW = "incidents.view"
    INCIDENTS_WRITE = "incidents.write"
    INCIDENTS_AMEND = "incidents.amend"
    """Amend a closed incident (with a reason)."""
    INCIDENT_CATEGORIES_MANAGE = "incidents.categories"
    """Add, rename or retire incident categories."""
    RADIO_VIEW_ALL = "radio.view_all"
    RADIO_WRITE = "radio.write"
    SHIFTS_WRITE = "shifts.write"
    VISITORS_WRITE = "visitors.write"
    FAULTS_VIEW = "faults.view"
    FAULTS_WRITE = "faults.write"
    PARTNERS_VIEW = "partners.view"
    PARTNERS_MANAGE = "partners.manage"
    STATS_VIEW = "stats.view"
    REQUESTS_VIEW = "requests.view"
    """See disclosure requests, their deadlines, the registers and the continuity log."""
    REQUESTS_MANAGE = "requests.manage"
    """Receive requests, move them on, record releases and hand-overs, close them."""
    REQUESTS_APPROVE = "requests.approve"
    """Approve or refuse a request (supervisor or data-protection officer)."""
    EVIDENCE_EXPORT = "evidence.export"
    """Build, cancel and download export packages."""
    REDACTION_MANAGE = "redaction.manage"
    """Open the redaction studio: decide who is obscured, render and download the copy."""
    SYSTEM_HEALTH = "system.health"
    GOVERNANCE_VIEW = "governance.view"
    """See camera reviews, DPIAs, signage, operators' records, documents, clients, reports."""
    GOVERNANCE_MANAGE = "governance.manage"
    """Complete camera reviews; keep the DPIA, signage, operator and client records; issue
    controlled documents; generate client reports."""
    CLIENT_REPORTS = "client.reports"
    """A client viewer: download its own client's monthly monitoring reports."""
    SYSTEM_ALARMS = "system.alarms"
    """Disk and recording alarms shown as a banner on every page (supervisory roles)."""
    POLICE_SHARE = "police.share"
    """Share cameras with the police link, end one's own shares, see the link's health."""
    POLICE_SHARE_SUPERVISE = "police.share_supervise"
    """End anyone's share with the police link."""
    POLICE_WALL = "police.wall"
    """The police link's own wall of shared cameras."""
    POLICE_PORTAL = "police.portal"
    """File police requests online, follow them, download their released packages."""
    PROFILE = "profile"
    """See one's own account and change one's own password."""


R = Right
_STAFF = {R.PROFILE, R.CAMERAS_VIEW, R.SYSTEM_HEALTH}
_OPERATOR = _STAFF | {
    R.VIDEO_LIVE,
    R.VIDEO_PLAYBACK,
    R.PTZ_CONTROL,
    R.HOLDS_VIEW,
    R.HOLDS_CREATE,
    R.INCIDENTS_VIEW,
    R.INCIDENTS_WRITE,
    R.RADIO_VIEW_ALL,
    R.RADIO_WRITE,
    R.SHIFTS_WRITE,
    R.VISITORS_WRITE,
    R.FAULTS_VIEW,
    R.FAULTS_WRITE,
    R.PARTNERS_VIEW,
    R.REQUESTS_VIEW,
    R.REQUESTS_MANAGE,
    R.EVIDENCE_EXPORT,
    R.POLICE_SHARE,
}
_SUPERVISOR = _OPERATOR | {
    R.POLICE_SHARE_SUPERVISE,
    R.REQUESTS_APPROVE,
    R.REDACTION_MANAGE,
    R.PTZ_SUPERVISE,
    R.HOLDS_RELEASE,
    R.INCIDENTS_AMEND,
    R.INCIDENT_CATEGORIES_MANAGE,
    R.STATS_VIEW,
    R.USERS_VIEW,
    R.PARTNERS_MANAGE,
    R.GOVERNANCE_VIEW,
    R.GOVERNANCE_MANAGE,
    R.SYSTEM_ALARMS,
}

RIGHTS: dict[Role, frozenset[Right]] = {
    Role.OPERATOR: frozenset(_OPERATOR),
    Role.SUPERVISOR: frozenset(_SUPERVISOR),
    Role.MANAGER: frozenset(_SUPERVISOR | {R.CAMERAS_MANAGE, R.AUDIT_VIEW}),
    Role.DPO: frozenset(
        _STAFF
        | {
            R.VIDEO_PLAYBACK,
            R.HOLDS_VIEW,
            R.HOLDS_CREATE,
            R.HOLDS_RELEASE,
            R.INCIDENTS_VIEW,
            R.AUDIT_VIEW,
            R.STATS_VIEW,
            R.CAMERAS_MANAGE,
            R.REQUESTS_VIEW,
            R.REQUESTS_MANAGE,
            R.REQUESTS_APPROVE,
            R.EVIDENCE_EXPORT,
            R.REDACTION_MANAGE,
            R.GOVERNANCE_VIEW,
            R.GOVERNANCE_MANAGE,
        }
    ),
    Role.AUDITOR: frozenset(
        _STAFF
        | {
            R.AUDIT_VIEW,
            R.AUDIT_VERIFY,
            R.USERS_VIEW,
            R.HOLDS_VIEW,
            R.INCIDENTS_VIEW,
            R.FAULTS_VIEW,
            R.STATS_VIEW,
            R.REQUESTS_VIEW,
            R.GOVERNANCE_VIEW,
        }
    ),
    Role.POLICE_LIAISON: frozenset(
        {R.PROFILE, R.CAMERAS_VIEW, R.VIDEO_LIVE, R.VIDEO_PLAYBACK, R.INCIDENTS_VIEW}
    ),
    # Police link accounts: a share (police/shares.py) is their only way to any camera.
    Role.POLICE_VIEWER: frozenset({R.PROFILE, R.VIDEO_LIVE, R.POLICE_WALL}),
    Role.POLICE_OFFICER: frozenset({R.PROFILE, R.POLICE_PORTAL}),
    Role.CLIENT_VIEWER: frozenset(
        {R.PROFILE, R.CAMERAS_VIEW, R.VIDEO_LIVE, R.VIDEO_PLAYBACK, R.CLIENT_REPORTS}
    ),
    Role.PARTNER_MEMBER: frozenset({R.PROFILE, R.RADIO_WRITE}),
    Role.ADMIN: frozenset(
        _STAFF
        | {
            R.USERS_VIEW,
            R.USERS_MANAGE,
            R.CAMERAS_MANAGE,
            R.AUDIT_VIEW,
            R.AUDIT_VERIFY,
            R.FAULTS_VIEW,
            R.FAULTS_WRITE,
            R.SYSTEM_ALARMS,
        }
    ),
}

POLICE_ROLES = frozenset({Role.POLICE_VIEWER, Role.POLICE_OFFICER})
"""Accounts of the police link: they belong to a force and see cameras only through shares."""

LICENSED_ROLES = frozenset({Role.OPERATOR, Role.SUPERVISOR})
"""Roles whose holders operate cameras and must hold a valid SIA PSS licence."""


def has_right(role: str, right: Right) -> bool:
    """True when ``role`` holds ``right``; unknown roles hold nothing."""
    try:
        return right in RIGHTS[Role(role)]
    except ValueError:
        return False
