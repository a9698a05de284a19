"""Redaction of third parties: detect faces, track them, let a reviewer decide, render a copy.

See ``docs/design/redaction.md``.
"""
