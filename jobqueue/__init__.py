"""Debrief's work on RQ: the queue, job ids and the Redis keys intake relies on."""
