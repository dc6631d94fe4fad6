"""Shared test setup: real Redis, the sandbox site over real HTTP, RQ workers."""

pytest_plugins = [
    "tests.plugins.sandbox",
    "tests.plugins.redis",
    "tests.plugins.service",
    "tests.plugins.smtp",
]
