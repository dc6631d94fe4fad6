"""Debrief's shell: the `debrief` command line, serving, operations and logging."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("debrief")
except PackageNotFoundError:  # running from a checkout without installing
    __version__ = "0.0.0+local"
