"""The web app: JSON API under /api and server-rendered pages for the control room."""
