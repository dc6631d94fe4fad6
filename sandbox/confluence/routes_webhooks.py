"""Confluence admin webhooks as Data Center registers them: ``/rest/api/webhooks`` (list,
create) and ``/rest/api/webhooks/{id}`` (read, update, delete). Deliveries: ``events.py``."""

from __future__ import annotations

from flask import Response, jsonify, request

from sandbox.webhooks_out import CONFLUENCE, WebhookSpecError

from .errors import ConfluenceApiError, bad_request
from .web_helpers import blueprint, caller, json_body, locked, paging, shapes, site

PREFIX = "/rest/api/webhooks"


def _not_found(hook_id: int) -> ConfluenceApiError:
    return ConfluenceApiError(404, f"No webhook found with id {hook_id}")


def _spec_error(err: WebhookSpecError) -> ConfluenceApiError:
    return bad_request("; ".join(f"{field}: {message}" for field, message in err.errors.items()))


@blueprint.get(PREFIX)
@locked
def list_webhooks() -> Response:
    start, limit = paging(100)
    wanted = set(request.args.getlist("event"))
    hooks = [h for h in site().webhooks.of(CONFLUENCE) if not wanted or wanted & set(h.events)]
    base = shapes().base
    chosen = [h.to_confluence_api(base) for h in hooks[start:start + limit]]
    return jsonify({"results": chosen, "start": start, "limit": limit, "size": len(chosen),
                    "totalCount": len(hooks), "_links": {"base": base, "context": "/wiki",
                                                         "self": f"{base}{PREFIX}"}})


@blueprint.post(PREFIX)
@locked
def create_webhook() -> Response:
    person = caller()
    try:
        hook = site().webhooks.register(json_body(), person.account_id if person else None,
                                        person.display_name if person else None, product=CONFLUENCE)
    except WebhookSpecError as err:
        raise _spec_error(err) from None
    response = jsonify(hook.to_confluence_api(shapes().base))
    response.status_code = 201
    return response


@blueprint.get(f"{PREFIX}/<int:hook_id>")
@locked
def get_webhook(hook_id: int) -> Response:
    hook = site().webhooks.registrations.get(hook_id)
    if hook is None or hook.product != CONFLUENCE:
        raise _not_found(hook_id)
    return jsonify(hook.to_confluence_api(shapes().base))


@blueprint.put(f"{PREFIX}/<int:hook_id>")
@locked
def update_webhook(hook_id: int) -> Response:
    person = caller()
    try:
        hook = site().webhooks.update(hook_id, json_body(), person.account_id if person else None,
                                      person.display_name if person else None, product=CONFLUENCE)
    except WebhookSpecError as err:
        raise _spec_error(err) from None
    if hook is None:
        raise _not_found(hook_id)
    return jsonify(hook.to_confluence_api(shapes().base))


@blueprint.delete(f"{PREFIX}/<int:hook_id>")
@locked
def delete_webhook(hook_id: int) -> Response:
    if not site().webhooks.delete(hook_id, product=CONFLUENCE):
        raise _not_found(hook_id)
    return Response(status=204)
