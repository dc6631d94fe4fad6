"""Routing: every matching handler runs; routes match on event attributes and predicates;
feature routers compose."""

from __future__ import annotations

from types import SimpleNamespace

from redis import Redis
from rq import Queue

from jobqueue.queue import QUEUE_NAME
from tests.test_intake import make_app, payload, post
from webhooks import incidents
from webhooks.dispatch import Outcome
from webhooks.routing import Router


def event(name, **attrs):
    return SimpleNamespace(name=name, **attrs)


def test_every_matching_handler_runs_in_order():
    router, ran = Router(), []
    router.register("comment_created")(lambda e, ctx: ran.append("first"))
    router.register("comment_created", "jira:issue_updated")(lambda e, ctx: ran.append("second"))
    for handler in router.handlers_for(event("comment_created")):
        handler(None, None)
    assert ran == ["first", "second"]
    assert len(router.handlers_for(event("jira:issue_updated"))) == 1
    assert router.handlers_for(event("jira:issue_deleted")) == []


def test_routes_match_attributes_and_predicates():
    router = Router()

    @router.register("jira:issue_updated", project="INC")
    def inc_only(e, ctx):
        return "inc"

    @router.register("jira:issue_updated", when=lambda e: e.type_name == "issue_resolved")
    def resolved(e, ctx):
        return "resolved"

    assert router.handlers_for(event("jira:issue_updated", project="INC", type_name="x")) == [inc_only]
    assert router.handlers_for(event("jira:issue_updated", project="OPS", type_name="issue_resolved")) == [resolved]
    assert router.handlers_for(event("jira:issue_updated", project="INC", type_name="issue_resolved")) == [
        inc_only, resolved]


def test_composed_routers_see_routes_added_later_and_run_a_handler_once():
    feature_a, feature_b = Router(), Router()
    app_router = Router(feature_a, feature_b)

    def shared(e, ctx):
        return None

    feature_a.register("page_updated")(shared)
    feature_b.register("page_updated")(shared)
    late = feature_b.register("page_updated")(lambda e, ctx: None)
    assert app_router.handlers_for(event("page_updated")) == [shared, late]


def test_two_handlers_on_one_event_both_run_through_the_app(redis_conn, redis_url):
    app = make_app(redis_url)
    runtime = app.extensions["debrief"]
    audit = Router()
    seen = []

    @audit.register("jira:issue_updated", project="TES")
    def audit_issue(e, ctx):
        submitted = ctx.work.submit("consider", e.issue["id"], "", key=e.issue["id"], delivery_id=ctx.delivery_id)
        seen.append((e.issue_key, ctx.delivery_id, submitted.repeated_delivery))
        return Outcome(200 if submitted.repeated_delivery else 202,
                       {"audited": e.issue_key, "repeated": submitted.repeated_delivery, **submitted.as_dict()})

    runtime.routers["jira"] = Router(incidents.router, audit)
    body = payload("issue_updated.status_resolved.cloud.mattermost.json")
    first = post(app.test_client(), body, delivery="two-handlers")
    assert first.status_code == 202, first.get_json()
    handled = first.get_json()["handled"]
    assert [h["status"] for h in handled] == [202, 202]
    assert handled[0]["job"] == "draft-TES-41" and handled[1]["audited"] == "TES-41"
    issue_id = body["issue"]["id"]
    assert sorted(Queue(QUEUE_NAME, connection=redis_conn).get_job_ids()) == [f"consider-{issue_id}", "draft-TES-41"]
    assert seen[0][1].startswith("two-handlers:tests.test_intake_routing.") and seen[0][2] is False  # a claim of its own
    assert redis_conn.exists("debrief:delivery:two-handlers")  # the first handler's
    again = post(app.test_client(), body, delivery="two-handlers")  # Jira's retry
    assert again.status_code == 200
    assert [h["status"] for h in again.get_json()["handled"]] == [200, 200]
    assert again.get_json()["handled"][1]["repeated"] is True


def test_other_project_runs_only_the_incident_handler(redis_conn, redis_url):
    app = make_app(redis_url)
    audit = Router()
    audit.register("jira:issue_updated", project="OPS")(lambda e, ctx: Outcome(202, {"audited": True}))
    app.extensions["debrief"].routers["jira"] = Router(incidents.router, audit)
    response = post(app.test_client(), payload("issue_updated.status_resolved.cloud.mattermost.json"))
    assert response.status_code == 202 and "handled" not in response.get_json()


def test_redis_down_midway_is_503_with_retry_after(redis_conn, redis_url):
    app = make_app(redis_url)
    dead = Redis.from_url("redis://127.0.0.1:1/0")
    late = Router()

    @late.register("jira:issue_updated")
    def needs_redis(e, ctx):
        dead.ping()
        return Outcome(202, {})

    app.extensions["debrief"].routers["jira"] = Router(incidents.router, late)
    response = post(app.test_client(), payload("issue_updated.status_resolved.cloud.mattermost.json"),
                    delivery="half")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
