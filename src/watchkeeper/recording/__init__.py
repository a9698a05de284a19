"""Recording engine: ingest, timestamp validation, fMP4 segments, retention, holds, check.

See ``docs/design/recording.md`` for the invariants and crash procedures.
"""
