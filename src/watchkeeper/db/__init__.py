"""Database: SQLAlchemy 2 models' base, engine factory and migrations."""
