"""Configuration: app.yaml (policy) read and validated once, and the environment (secrets, endpoints)."""
