"""Users, roles and rights, log-in sessions, API tokens and SIA licences."""
