"""Debrief's application shell: configuration, command line, local Redis, logging, queueing."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("debrief")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0+local"
