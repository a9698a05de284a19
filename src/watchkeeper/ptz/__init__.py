"""PTZ control: ONVIF steering, control sessions with priority, the dead-man stop, presets.

See docs/design/ptz.md.
"""
