"""governance: camera reviews, DPIAs, signage, operators, documents, clients, disclosures

Tables: camera_review, dpia, signage, operator_record, controlled_document,
document_version, document_ack, client_terms, client_report, partner_disclosure.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Plain CREATE TABLE and CREATE INDEX only, so the same steps run on SQLite and PostgreSQL.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "controlled_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False, comment="e.g. COP, PROC-07"),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "kind IN ('code_of_practice', 'procedure')", name=op.f("ck_controlled_document_kind")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_controlled_document")),
        sa.UniqueConstraint("code", name=op.f("uq_controlled_document_code")),
    )
    op.create_table(
        "dpia",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=100), nullable=False, comment="= camera.dpia_ref"),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("approved_on", sa.Date(), nullable=False),
        sa.Column("approved_by", sa.String(length=200), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dpia")),
        sa.UniqueConstraint("ref", name=op.f("uq_dpia_ref")),
    )
    op.create_table(
        "operator_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("done_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("evidence", sa.LargeBinary(), nullable=True, comment="Attached file"),
        sa.Column("evidence_name", sa.String(length=200), nullable=False),
        sa.Column("evidence_type", sa.String(length=100), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('training', 'vetting', 'confidentiality', 'sia_check')",
            name=op.f("ck_operator_record_kind"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operator_record")),
    )
    op.create_index(
        op.f("ix_operator_record_username"), "operator_record", ["username"], unique=False
    )

    op.create_table(
        "client_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False, comment="YYYY-MM, local"),
        sa.Column("generated_us", sa.BigInteger(), nullable=False),
        sa.Column(
            "generated_by", sa.String(length=64), nullable=False, comment="A user, or 'schedule'"
        ),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_report_client_id_client")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_client_report")),
        sa.UniqueConstraint("client_id", "month", name="month"),
    )
    op.create_index(
        op.f("ix_client_report_client_id"), "client_report", ["client_id"], unique=False
    )

    op.create_table(
        "client_terms",
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("contract_ref", sa.String(length=100), nullable=False),
        sa.Column("contract_start", sa.Date(), nullable=True),
        sa.Column("contract_end", sa.Date(), nullable=True),
        sa.Column("contacts", sa.Text(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=True),
        sa.Column(
            "disclosure_approvers",
            sa.Text(),
            nullable=False,
            comment="Names at the client who approve disclosures",
        ),
        sa.Column("report_to", sa.Text(), nullable=False, comment="Who gets the monthly report"),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_id"], ["client.id"], name=op.f("fk_client_terms_client_id_client")
        ),
        sa.PrimaryKeyConstraint("client_id", name=op.f("pk_client_terms")),
    )
    op.create_table(
        "document_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False, comment="What changed, for the reader"),
        sa.Column("body", sa.Text(), nullable=False, comment="The text, when kept here"),
        sa.Column("issued_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["controlled_document.id"],
            name=op.f("fk_document_version_document_id_controlled_document"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_version")),
        sa.UniqueConstraint("document_id", "version", name="version"),
    )
    op.create_index(
        op.f("ix_document_version_document_id"), "document_version", ["document_id"], unique=False
    )

    op.create_table(
        "partner_disclosure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("isa_ref", sa.String(length=100), nullable=False, comment="Agreement relied on"),
        sa.Column("incident_ref", sa.String(length=16), nullable=False),
        sa.Column("scheme_ids", sa.Text(), nullable=False, comment="Scheme system ids"),
        sa.Column("shared", sa.Text(), nullable=False, comment="What was shared"),
        sa.Column("reason", sa.Text(), nullable=False, comment="Why"),
        sa.Column("disclosed_by", sa.String(length=64), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "isa_ref != '' AND shared != '' AND reason != ''",
            name=op.f("ck_partner_disclosure_explained"),
        ),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["partner_member.id"],
            name=op.f("fk_partner_disclosure_member_id_partner_member"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_disclosure")),
    )
    op.create_index(
        op.f("ix_partner_disclosure_at_us"), "partner_disclosure", ["at_us"], unique=False
    )
    op.create_index(
        op.f("ix_partner_disclosure_member_id"), "partner_disclosure", ["member_id"], unique=False
    )

    op.create_table(
        "document_ack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("at_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["document_version.id"],
            name=op.f("fk_document_ack_version_id_document_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_ack")),
        sa.UniqueConstraint("version_id", "username", name="once"),
    )
    op.create_index(
        op.f("ix_document_ack_version_id"), "document_ack", ["version_id"], unique=False
    )

    op.create_table(
        "signage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("area_id", sa.String(length=64), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("cameras", sa.Text(), nullable=False, comment="Camera ids, comma-separated"),
        sa.Column("wording", sa.Text(), nullable=False),
        sa.Column("last_inspected", sa.Date(), nullable=True),
        sa.Column("next_inspection", sa.Date(), nullable=True),
        sa.Column("condition", sa.Text(), nullable=False),
        sa.Column("photo", sa.LargeBinary(), nullable=True),
        sa.Column("photo_type", sa.String(length=32), nullable=False),
        sa.Column("updated_us", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["area.id"], name=op.f("fk_signage_area_id_area")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signage")),
    )
    op.create_index(op.f("ix_signage_area_id"), "signage", ["area_id"], unique=False)

    op.create_table(
        "camera_review",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.String(length=64), nullable=False),
        sa.Column("reviewed_on", sa.Date(), nullable=False),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column(
            "purpose", sa.Text(), nullable=False, comment="The purpose as it stood at review"
        ),
        sa.Column("still_justified", sa.Boolean(), nullable=False),
        sa.Column("justification", sa.Text(), nullable=False),
        sa.Column(
            "incidents",
            sa.Integer(),
            nullable=False,
            comment="Incidents the camera contributed to in the year before, counted",
        ),
        sa.Column("complaints", sa.Text(), nullable=False),
        sa.Column("maintenance", sa.Text(), nullable=False),
        sa.Column("signage_checked", sa.Boolean(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=True, comment="NULL: decommissioned"),
        sa.Column("recorded_us", sa.BigInteger(), nullable=False),
        sa.CheckConstraint(
            "decision IN ('retain', 'relocate', 'decommission')",
            name=op.f("ck_camera_review_decision"),
        ),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["camera.id"], name=op.f("fk_camera_review_camera_id_camera")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_camera_review")),
    )
    op.create_index(
        op.f("ix_camera_review_camera_id"), "camera_review", ["camera_id"], unique=False
    )


def downgrade() -> None:
    for table in (
        "camera_review",
        "signage",
        "document_ack",
        "partner_disclosure",
        "document_version",
        "client_terms",
        "client_report",
        "operator_record",
        "dpia",
        "controlled_document",
    ):
        op.drop_table(table)
