"""The Flask service that receives Jira webhooks (``webhooks:create_app()``)."""

from webhooks.app import create_app

__all__ = ["create_app"]
