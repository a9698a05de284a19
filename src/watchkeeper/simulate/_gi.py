"""Pins the GObject-introspection API versions before any ``gi.repository`` import.

Simulator modules import GStreamer names from here (``from watchkeeper.simulate._gi import
Gst``), so the version pins always come first; ``Gst.init`` itself is called by the
server's composition root, not at import.
"""

from __future__ import annotations

import gi

gi.require_version("GdkPixbuf", "2.0")
gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")

from gi.repository import GdkPixbuf, GLib, Gst, GstApp, GstRtsp, GstRtspServer  # noqa: E402

__all__ = ["GLib", "GdkPixbuf", "Gst", "GstApp", "GstRtsp", "GstRtspServer"]
