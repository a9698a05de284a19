"""Typed configuration: process settings and the site file."""

from watchkeeper.config.settings import Settings, load_settings

__all__ = ["Settings", "load_settings"]
