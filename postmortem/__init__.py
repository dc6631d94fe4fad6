"""Debrief's domain core: incidents, trigger rules, postmortem drafts, action items, gates.

Pure functions and plain data only. Nothing here performs I/O or imports Flask, RQ,
Redis, requests or the Atlassian client; the outer layers (webhooks, jobs, connector)
call into this package, never the other way round.
"""
