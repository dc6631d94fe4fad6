"""``make bench``: throughput of the webhook endpoint against a bare Flask endpoint."""
