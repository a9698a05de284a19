"""MQTT: the broker connection (never blocks its callers), topics, Home Assistant discovery."""
