"""records: occurrence log, radio, shifts, visitors, faults, partner members

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-29

Besides the tables, this revision seeds the incident categories, makes the incident
timeline append-only with triggers, and creates the full-text index per dialect:
an FTS5 table on SQLite, a tsvector table with a GIN index on PostgreSQL. Those
objects are not in the models; the search module is the only code that uses them.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None

CATEGORIES = (
    ("violence", "Violence"),
    ("public_order", "Public order"),
    ("asb", "Anti-social behaviour"),
    ("theft", "Theft and shoplifting"),
    ("criminal_damage", "Criminal damage"),
    ("drugs", "Drugs"),
    ("suspicious", "Suspicious behaviour"),
    ("missing_vulnerable", "Missing or vulnerable person"),
    ("rtc", "Road traffic collision"),
    ("medical_welfare", "Medical or welfare"),
    ("fire", "Fire"),
    ("other", "Other"),
)

SQLITE_EXTRAS = [
    "CREATE VIRTUAL TABLE incident_fts USING fts5(body, tokenize='porter unicode61')",
    "CREATE TRIGGER incident_entry_no_update BEFORE UPDATE ON incident_entry "
    "BEGIN SELECT RAISE(ABORT, 'incident timeline is append-only'); END",
    "CREATE TRIGGER incident_entry_no_delete BEFORE DELETE ON incident_entry "
    "BEGIN SELECT RAISE(ABORT, 'incident timeline is append-only'); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS incident_entry_no_delete",
    "DROP TRIGGER IF EXISTS incident_entry_no_update",
    "DROP TABLE IF EXISTS incident_fts",
]
POSTGRES_EXTRAS = [
    "CREATE TABLE incident_fts (incident_id INTEGER PRIMARY KEY "
    "REFERENCES incident(id), doc TSVECTOR NOT NULL)",
    "CREATE INDEX ix_incident_fts_doc ON incident_fts USING GIN (doc)",
    "CREATE FUNCTION incident_entry_refuse() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN RAISE EXCEPTION 'incident timeline is append-only'; END $$",
    "CREATE TRIGGER incident_entry_no_change BEFORE UPDATE OR DELETE ON incident_entry "
    "FOR EACH ROW EXECUTE FUNCTION incident_entry_refuse()",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS incident_entry_no_change ON incident_entry",
    "DROP FUNCTION IF EXISTS incident_entry_refuse()",
    "DROP TABLE IF EXISTS incident_fts",
]


def _extras(create: bool) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if create:
        statements = POSTGRES_EXTRAS if postgres else SQLITE_EXTRAS
    else:
        statements = POSTGRES_DROP if postgres else SQLITE_DROP
    for statement in statements:
        op.execute(statement)


def upgrade() -> None:
    op.create_table(
        "incident_category",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sort", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_category")),
    )
    op.create_table(
        "incident_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_incident_counter")),
    )
    op.create_table(
        "partner_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "ref",
            sa.String(length=100),
            nullable=False,
            comment="Matches app_user.partner_member_ref",
        ),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("scheme", sa.String(length=16), nullable=False),
        sa.Column("address", sa.Text(), nullable=False),
        sa.Column("contact", sa.Text(), nullable=False),
        sa.Column("handset_ids", sa.Text(), nullable=False, comment="Comma-separated"),
        sa.Column(
            "isa_ref",
            sa.String(length=100),
            nullable=False,
            comment="Information sharing agreement",
        ),
        sa.Column("isa_date", sa.Date(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "scheme IN ('shopwatch', 'pubwatch')", name=op.f("ck_partner_member_scheme")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_member")),
        sa.UniqueConstraint("ref", name=op.f("uq_partner_member_ref")),
    )
    op.create_table(
        "visitor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("host", sa.String(length=64), nullable=False),
        sa.Column("in_us", sa.BigInteger(), nullable=False),
        sa.Column("out_us", sa.BigInteger(), nullable=True),
        sa.Column("declaration_accepted", sa.Boolean(), nullable=False),
        sa.Column("police", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.CheckConstraint("declaration_accepted", name=op.f("ck_visitor_declaration")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitor")),
    )
    with op.batch_alter_table("visitor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visitor_in_us"), ["in_us"], unique=False)

    op.create_table(
        "incident",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=16), nullable=False, comment="YYYY-NNNNNN"),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("opened_us", sa.BigInteger(), nullable=False),
        sa.Column("closed_us", sa.BigInteger(), nullable=True),
        sa.Column("operator_id", sa.Integer(), nullable=True, comment="Operator who opened it"),
        sa.Column(
            "operator_name", sa.String(length=64), nullable=False, comment="As it was at the time"
        ),
        sa.Column("source", sa.String(length=32), nullable=False),
        sa.Column("category_id", sa.String(length=32), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=True),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("police_ref", sa.String(length=64), nullable=False, comment="CAD or log number"),
        sa.Column("crime_ref", sa.String(length=64), nullable=False),
        sa.Column(
            "scheme_ref",
            sa.String(length=100),
            nullable=False,
            comment="Partner scheme's own system id; no photo gallery",
        ),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "(status = 'closed') = (closed_us IS NOT NULL)",
            name=op.f("ck_incident_closed_has_time"),
        ),
        sa.CheckConstraint(
            "source IN ('police', 'shopwatch', 'pubwatch', 'public_via_police', "
            "'operator', 'alarm')",
            name=op.f("ck_incident_source"),
        ),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_incident_status")),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_incident_area_id_area")),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["incident_category.id"],
            name=op.f("fk_incident_category_id_incident_category"),
        ),
        sa.ForeignKeyConstraint(
            ["operator_id"], ["app_user.id"], name=op.f("fk_incident_operator_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident")),
        sa.UniqueConstraint("ref", name=op.f("uq_incident_ref")),
        sa.UniqueConstraint("year", "seq", name="uq_incident_year_seq"),
    )
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.create_index("ix_incident_area_opened", ["area_id", "opened_us"], unique=False)
        batch_op.create_index(
            "ix_incident_category_opened", ["category_id", "opened_us"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_incident_opened_us"), ["opened_us"], unique=False)
        batch_op.create_index(batch_op.f("ix_incident_operator_id"), ["operator_id"], unique=False)

    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("on_us", sa.BigInteger(), nullable=False),
        sa.Column("off_us", sa.BigInteger(), nullable=True),
        sa.Column("handover", sa.Text(), nullable=False, comment="Notes for the next shift"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["app_user.id"], name=op.f("fk_shift_user_id_app_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shift")),
    )
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_shift_on_us"), ["on_us"], unique=False)
        batch_op.create_index(batch_op.f("ix_shift_user_id"), ["user_id"], unique=False)

    op.create_table(
        "daily_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("shift_id", sa.Integer(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("done_by", sa.String(length=64), nullable=False),
        sa.Column("cameras_total", sa.Integer(), nullable=True),
        sa.Column("cameras_online", sa.Integer(), nullable=True),
        sa.Column("cameras_recording", sa.Integer(), nullable=True),
        sa.Column("police_link_ok", sa.Boolean(), nullable=False),
        sa.Column("radios_ok", sa.Boolean(), nullable=False),
        sa.Column("phone_ok", sa.Boolean(), nullable=False),
        sa.Column("faults_found", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["shift_id"], ["shift.id"], name=op.f("fk_daily_check_shift_id_shift")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_daily_check")),
        sa.UniqueConstraint("day", name=op.f("uq_daily_check_day")),
    )
    op.create_table(
        "fault",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=True, comment="NULL: a system fault"),
        sa.Column("component", sa.String(length=100), nullable=False, comment="For system faults"),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reported_us", sa.BigInteger(), nullable=False),
        sa.Column("reported_by", sa.String(length=64), nullable=False),
        sa.Column("maintainer", sa.String(length=200), nullable=False),
        sa.Column("maintainer_ref", sa.String(length=100), nullable=False),
        sa.Column("acknowledged_us", sa.BigInteger(), nullable=True),
        sa.Column("fixed_us", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "status IN ('open', 'acknowledged', 'fixed')", name=op.f("ck_fault_status")
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_fault_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault")),
    )
    with op.batch_alter_table("fault", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fault_camera_id"), ["camera_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_fault_reported_us"), ["reported_us"], unique=False)
        batch_op.create_index(batch_op.f("ix_fault_status"), ["status"], unique=False)

    op.create_table(
        "incident_camera",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("start_us", sa.BigInteger(), nullable=False),
        sa.Column("end_us", sa.BigInteger(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("added_us", sa.BigInteger(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column(
            "hold_id", sa.String(length=64), nullable=False, comment="Id given by the holds engine"
        ),
        sa.Column("hold_expires_us", sa.BigInteger(), nullable=False),
        sa.Column("released_us", sa.BigInteger(), nullable=True),
        sa.Column("released_by", sa.String(length=64), nullable=False),
        sa.Column("release_reason", sa.Text(), nullable=False),
        sa.CheckConstraint("end_us > start_us", name=op.f("ck_incident_camera_span_order")),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_incident_camera_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_camera_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_camera")),
    )
    with op.batch_alter_table("incident_camera", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_camera_camera_id"), ["camera_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_incident_camera_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column(
            "at_us",
            sa.BigInteger(),
            nullable=False,
            comment="When it happened (operator may backdate a little)",
        ),
        sa.Column("recorded_us", sa.BigInteger(), nullable=False, comment="When it was written"),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.String(length=16),
            nullable=False,
            comment="open, action, change, camera, officer, outcome, close, amendment",
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False, comment="Why: the action's or amendment's"),
        sa.Column("details", sa.Text(), nullable=False, comment="JSON: old and new values"),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_incident_entry_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_entry_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_entry")),
    )
    with op.batch_alter_table("incident_entry", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_entry_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_officer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("collar_number", sa.String(length=32), nullable=False),
        sa.Column("added_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_officer_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_officer")),
    )
    with op.batch_alter_table("incident_officer", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_incident_officer_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "incident_outcome",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("outcome", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('arrest', 'police_attended', 'ambulance', 'fire_service', "
            "'detained_by_staff', 'monitored', 'footage_requested', 'no_further_action')",
            name=op.f("ck_incident_outcome_outcome"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_incident_outcome_incident_id_incident")
        ),
        sa.PrimaryKeyConstraint("incident_id", "outcome", name=op.f("pk_incident_outcome")),
    )
    with op.batch_alter_table("incident_outcome", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_incident_outcome_outcome"), ["outcome"], unique=False)

    op.create_table(
        "radio_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column(
            "caller", sa.String(length=100), nullable=False, comment="Call-sign, handset or member"
        ),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=64), nullable=False),
        sa.Column("recorded_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "channel IN ('airwave', 'shopwatch', 'pubwatch', 'phone')",
            name=op.f("ck_radio_entry_channel"),
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["app_user.id"], name=op.f("fk_radio_entry_author_id_app_user")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_radio_entry_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["partner_member.id"],
            name=op.f("fk_radio_entry_member_id_partner_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_radio_entry")),
    )
    with op.batch_alter_table("radio_entry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_radio_entry_at_us"), ["at_us"], unique=False)
        batch_op.create_index(batch_op.f("ix_radio_entry_author_id"), ["author_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_radio_entry_incident_id"), ["incident_id"], unique=False
        )

    op.create_table(
        "visitor_viewed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visitor_id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "camera_id IS NOT NULL OR incident_id IS NOT NULL",
            name=op.f("ck_visitor_viewed_something"),
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_visitor_viewed_camera_id_camera")
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incident.id"], name=op.f("fk_visitor_viewed_incident_id_incident")
        ),
        sa.ForeignKeyConstraint(
            ["visitor_id"], ["visitor.id"], name=op.f("fk_visitor_viewed_visitor_id_visitor")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitor_viewed")),
    )
    with op.batch_alter_table("visitor_viewed", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_visitor_viewed_visitor_id"), ["visitor_id"], unique=False
        )

    op.create_table(
        "fault_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fault_id", sa.Integer(), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.Column("by", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["fault_id"], ["fault.id"], name=op.f("fk_fault_event_fault_id_fault")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fault_event")),
    )
    with op.batch_alter_table("fault_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_fault_event_fault_id"), ["fault_id"], unique=False)

    category = sa.table(
        "incident_category",
        sa.column("id", sa.String),
        sa.column("name", sa.String),
        sa.column("sort", sa.Integer),
        sa.column("active", sa.Boolean),
    )
    op.bulk_insert(
        category,
        [
            {"id": cid, "name": name, "sort": n * 10, "active": True}
            for n, (cid, name) in enumerate(CATEGORIES)
        ],
    )
    _extras(create=True)


def downgrade() -> None:
    _extras(create=False)
    with op.batch_alter_table("fault_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fault_event_fault_id"))

    op.drop_table("fault_event")
    with op.batch_alter_table("visitor_viewed", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitor_viewed_visitor_id"))

    op.drop_table("visitor_viewed")
    with op.batch_alter_table("radio_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_radio_entry_incident_id"))
        batch_op.drop_index(batch_op.f("ix_radio_entry_author_id"))
        batch_op.drop_index(batch_op.f("ix_radio_entry_at_us"))

    op.drop_table("radio_entry")
    with op.batch_alter_table("incident_outcome", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_outcome_outcome"))

    op.drop_table("incident_outcome")
    with op.batch_alter_table("incident_officer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_officer_incident_id"))

    op.drop_table("incident_officer")
    with op.batch_alter_table("incident_entry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_entry_incident_id"))

    op.drop_table("incident_entry")
    with op.batch_alter_table("incident_camera", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_camera_incident_id"))
        batch_op.drop_index(batch_op.f("ix_incident_camera_camera_id"))

    op.drop_table("incident_camera")
    with op.batch_alter_table("fault", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_fault_status"))
        batch_op.drop_index(batch_op.f("ix_fault_reported_us"))
        batch_op.drop_index(batch_op.f("ix_fault_camera_id"))

    op.drop_table("fault")
    op.drop_table("daily_check")
    with op.batch_alter_table("shift", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_shift_user_id"))
        batch_op.drop_index(batch_op.f("ix_shift_on_us"))

    op.drop_table("shift")
    with op.batch_alter_table("incident", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_incident_operator_id"))
        batch_op.drop_index(batch_op.f("ix_incident_opened_us"))
        batch_op.drop_index("ix_incident_category_opened")
        batch_op.drop_index("ix_incident_area_opened")

    op.drop_table("incident")
    with op.batch_alter_table("visitor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visitor_in_us"))

    op.drop_table("visitor")
    op.drop_table("partner_member")
    op.drop_table("incident_counter")
    op.drop_table("incident_category")
