"""Watchkeeper: a public-space CCTV control centre."""

__version__ = "0.1.0"
