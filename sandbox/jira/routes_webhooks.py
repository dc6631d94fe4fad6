"""Admin webhook registration: ``/rest/webhooks/1.0/webhook`` (list, create, read, update, delete)."""

from __future__ import annotations

from sandbox.jira.http import (
    JiraError,
    actor,
    base,
    body,
    json_response,
    no_content,
    plain_route,
    site,
)
from sandbox.webhooks_out import JIRA, WebhookSpecError

PREFIX = "/rest/webhooks/1.0/webhook"


def _not_found(hook_id: int) -> JiraError:
    return JiraError(404, [f"Webhook with id {hook_id} does not exist."])


@plain_route(PREFIX, methods=["GET"])
def list_webhooks():
    return json_response([h.to_api(base()) for h in site().webhooks.of(JIRA)])


@plain_route(PREFIX, methods=["POST"])
def create_webhook():
    user = actor()
    try:
        hook = site().webhooks.register(body(), user.account_id, user.display_name)
    except WebhookSpecError as err:
        raise JiraError(400, [], err.errors) from None
    return json_response(hook.to_api(base()), 201)


@plain_route(f"{PREFIX}/<int:hook_id>", methods=["GET"])
def get_webhook(hook_id: int):
    hook = site().webhooks.registrations.get(hook_id)
    if hook is None or hook.product != JIRA:
        raise _not_found(hook_id)
    return json_response(hook.to_api(base()))


@plain_route(f"{PREFIX}/<int:hook_id>", methods=["PUT"])
def update_webhook(hook_id: int):
    user = actor()
    try:
        hook = site().webhooks.update(hook_id, body(), user.account_id, user.display_name)
    except WebhookSpecError as err:
        raise JiraError(400, [], err.errors) from None
    if hook is None:
        raise _not_found(hook_id)
    return json_response(hook.to_api(base()))


@plain_route(f"{PREFIX}/<int:hook_id>", methods=["DELETE"])
def delete_webhook(hook_id: int):
    if not site().webhooks.delete(hook_id):
        raise _not_found(hook_id)
    return no_content()
