"""Governance: camera reviews, DPIAs, signage, operators, documents, clients, partners."""
