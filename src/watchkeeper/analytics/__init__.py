"""Analytics on the recorder's fan-out: motion, spans, tamper, alert rules (analytics.md)."""
