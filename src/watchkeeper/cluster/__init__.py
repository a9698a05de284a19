"""Recorder nodes sharing one PostgreSQL: leases, fencing, balancing (docs/design/scale-out.md)."""
