"""Pins the GObject-introspection API versions before any ``gi.repository`` import.

Every simulator module that touches GStreamer imports this first; ``Gst.init`` itself is
called by the server's composition root, not at import.
"""

from __future__ import annotations

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")

__all__: list[str] = []
