"""The police link: cameras shared live with the force control room, and the police portal.

See ``docs/design/police-link.md``.
"""
