"""The object-store tier for segments and evidence packages (docs/design/scale-out.md)."""
