"""The Confluence half of the sandbox site, served under ``/wiki``.

``blueprint`` carries the REST v1 API (``/rest/api/...``), the Data Center page-move action,
a slice of REST v2 (``/api/v2/...``), Data Center admin webhooks (``/rest/api/webhooks``) and
browsable HTML pages; ``ConfluenceState`` holds the
data (see ``state.py``; seeded content in ``seed.py``).
"""

from . import (  # noqa: F401 (each module registers its routes)
    routes_content,
    routes_meta,
    routes_restrictions,
    routes_search,
    routes_space,
    routes_v2,
    routes_webhooks,
    web,
)
from .state import ConfluenceState
from .web_helpers import blueprint

__all__ = ["ConfluenceState", "blueprint"]
