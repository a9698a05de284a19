"""Recorded video from the index and the segment files, without re-encoding."""
