"""Fixed Jira configuration of the sandbox site: projects, issue types, workflow, priorities,
resolutions, link types and fields (custom field ids are relied on by the app config)."""

from __future__ import annotations

from dataclasses import dataclass

STATUS_CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}


@dataclass(frozen=True)
class Status:
    id: str
    name: str
    category: str
    description: str = ""


STATUSES = (
    Status("10000", "To Do", "new", "Work that has not been started."),
    Status("3", "In Progress", "indeterminate", "This issue is being actively worked on at the moment."),
    Status("10001", "Done", "done", "Work has been completed."),
    Status("5", "Resolved", "done", "A resolution has been taken, and it is awaiting verification."),
)
INITIAL_STATUS = "10000"


@dataclass(frozen=True)
class Transition:
    id: str
    name: str
    to: str  # status id
    sources: tuple[str, ...]  # status ids it is available from
    resolution: str | None = None  # resolution id set by default ("" clears)
    event: str = "issue_generic"


TRANSITIONS = (
    Transition("11", "To Do", "10000", ("3",), event="issue_generic"),
    Transition("21", "In Progress", "3", ("10000",), event="issue_generic"),
    Transition("31", "Done", "10001", ("10000", "3"), resolution="10000", event="issue_generic"),
    Transition("41", "Resolve", "5", ("3",), resolution="10000", event="issue_resolved"),
    Transition("51", "Reopen", "10000", ("10001", "5"), resolution="", event="issue_generic"),
)

PRIORITIES = (
    {"id": "1", "name": "Highest", "statusColor": "#d04437", "description": "This problem will block progress."},
    {"id": "2", "name": "High", "statusColor": "#f15C75", "description": "Serious problem that could block progress."},
    {"id": "3", "name": "Medium", "statusColor": "#f79232", "description": "Has the potential to affect progress."},
    {"id": "4", "name": "Low", "statusColor": "#707070", "description": "Minor problem or easily worked around."},
    {"id": "5", "name": "Lowest", "statusColor": "#999999", "description": "Trivial problem with little or no impact on progress."},
)
DEFAULT_PRIORITY = "3"

RESOLUTIONS = (
    {"id": "10000", "name": "Done", "description": "Work has been completed on this issue."},
    {"id": "10001", "name": "Fixed", "description": "A fix for this issue is checked in and tested."},
    {"id": "10002", "name": "Won't Do", "description": "This issue won't be actioned."},
)

ISSUE_TYPES = (
    {"id": "10001", "name": "Task", "description": "A small, distinct piece of work.", "avatarId": 10318},
    {"id": "10002", "name": "Bug", "description": "A problem or error.", "avatarId": 10303},
    {"id": "10003", "name": "Story", "description": "Functionality or a feature expressed as a user goal.", "avatarId": 10315},
    {"id": "10004", "name": "Incident", "description": "A problem which impairs or stops the operation of a service.", "avatarId": 10307},
)

LINK_TYPES = (
    {"id": "10000", "name": "Blocks", "inward": "is blocked by", "outward": "blocks"},
    {"id": "10001", "name": "Cloners", "inward": "is cloned by", "outward": "clones"},
    {"id": "10002", "name": "Duplicate", "inward": "is duplicated by", "outward": "duplicates"},
    {"id": "10003", "name": "Relates", "inward": "relates to", "outward": "relates to"},
)


@dataclass(frozen=True)
class Project:
    id: str
    key: str
    name: str
    lead: str  # account id
    issue_types: tuple[str, ...]
    components: tuple[tuple[str, str], ...] = ()  # (id, name)
    description: str = ""


PROJECTS = (
    Project("10000", "INC", "Incidents", "5b10ac8d82e05b22cc7d4ef5", ("10004", "10001"),
            (("10000", "checkout"), ("10001", "payments"), ("10002", "search"), ("10003", "login")),
            "Production incidents."),
    Project("10001", "ACT", "Action items", "5b10a2844c20165700ede21g", ("10001", "10002", "10003"),
            (), "Follow-up work from postmortems."),
)


@dataclass(frozen=True)
class FieldDef:
    id: str
    name: str
    kind: str  # how values are parsed, stored and rendered
    schema: dict
    custom: bool = False
    navigable: bool = True
    orderable: bool = True
    clause_names: tuple[str, ...] = ()
    options: tuple[tuple[str, str], ...] = ()  # (id, value) for selects
    editable: bool = True

    def option_by_value(self, value: str) -> str | None:
        return next((oid for oid, v in self.options if v == value), None)

    def option_value(self, option_id: str | None) -> str | None:
        return next((v for oid, v in self.options if oid == option_id), None)


def _sys(fid: str, name: str, kind: str, type_: str, *, items: str | None = None,
         navigable: bool = True, clauses: tuple[str, ...] = (), editable: bool = True) -> FieldDef:
    schema = {"type": type_, "system": fid}
    if items:
        schema["items"] = items
    return FieldDef(fid, name, kind, schema, navigable=navigable,
                    clause_names=clauses or (fid,), editable=editable)


def _custom(num: int, name: str, kind: str, type_: str, custom_type: str,
            options: tuple[str, ...] = (), first_option: int = 0) -> FieldDef:
    fid = f"customfield_{num}"
    schema = {"type": type_, "custom": f"com.atlassian.jira.plugin.system.customfieldtypes:{custom_type}",
              "customId": num}
    opts = tuple((str(first_option + i), v) for i, v in enumerate(options))
    return FieldDef(fid, name, kind, schema, custom=True,
                    clause_names=(f"cf[{num}]", name), options=opts)


FIELDS = (
    _sys("summary", "Summary", "string", "string"),
    _sys("description", "Description", "doc", "string"),
    _sys("environment", "Environment", "doc", "string"),
    _sys("project", "Project", "project", "project", editable=False),
    _sys("issuetype", "Issue Type", "issuetype", "issuetype", clauses=("issuetype", "type")),
    _sys("status", "Status", "status", "status", editable=False),
    _sys("priority", "Priority", "priority", "priority"),
    _sys("assignee", "Assignee", "user", "user"),
    _sys("reporter", "Reporter", "user", "user"),
    _sys("creator", "Creator", "user", "user", editable=False),
    _sys("labels", "Labels", "labels", "array", items="string"),
    _sys("components", "Components", "components", "array", items="component", clauses=("component",)),
    _sys("resolution", "Resolution", "resolution", "resolution"),
    _sys("resolutiondate", "Resolved", "datetime", "datetime", clauses=("resolved", "resolutiondate"), editable=False),
    _sys("created", "Created", "datetime", "datetime", clauses=("created", "createdDate"), editable=False),
    _sys("updated", "Updated", "datetime", "datetime", clauses=("updated", "updatedDate"), editable=False),
    _sys("statuscategorychangedate", "Status Category Changed", "datetime", "datetime", editable=False),
    _sys("duedate", "Due date", "date", "date", clauses=("due", "duedate")),
    _sys("issuelinks", "Linked Issues", "issuelinks", "array", items="issuelinks", clauses=("issueLink",)),
    _sys("comment", "Comment", "comments", "comments-page", navigable=False, editable=False),
    _sys("subtasks", "Sub-tasks", "fixed", "array", items="issuelinks", editable=False),
    _sys("fixVersions", "Fix versions", "fixed", "array", items="version", clauses=("fixVersion",)),
    _sys("versions", "Affects versions", "fixed", "array", items="version", clauses=("affectedVersion",)),
    _sys("watches", "Watchers", "fixed", "watches", editable=False),
    _sys("votes", "Votes", "fixed", "votes", editable=False),
    _sys("attachment", "Attachment", "fixed", "array", items="attachment", navigable=False, editable=False),
    _sys("worklog", "Log Work", "fixed", "array", items="worklog", navigable=False, editable=False),
    _sys("timetracking", "Time tracking", "fixed", "timetracking", navigable=False, editable=False),
    _sys("lastViewed", "Last Viewed", "fixed", "datetime", editable=False),
    _sys("security", "Security Level", "fixed", "securitylevel", editable=False),
    _sys("progress", "Progress", "fixed", "progress", editable=False),
    _sys("aggregateprogress", "Σ Progress", "fixed", "progress", editable=False),
    _sys("timespent", "Time Spent", "fixed", "number", editable=False),
    _sys("timeoriginalestimate", "Original Estimate", "fixed", "number", editable=False),
    _sys("timeestimate", "Remaining Estimate", "fixed", "number", editable=False),
    _sys("workratio", "Work Ratio", "fixed", "number", editable=False),
    _custom(10100, "Severity", "select", "option", "select", ("SEV-1", "SEV-2", "SEV-3", "SEV-4"), 10100),
    _custom(10101, "Incident start", "datetime", "datetime", "datetime"),
    _custom(10102, "Detected at", "datetime", "datetime", "datetime"),
    _custom(10103, "Mitigated at", "datetime", "datetime", "datetime"),
    _custom(10104, "Detection method", "select", "option", "select",
            ("Monitoring alert", "Manual", "Customer report"), 10110),
    _custom(10105, "User impact", "select", "option", "select", ("Downtime", "Degradation", "None"), 10120),
    _custom(10106, "Postmortem", "url", "string", "url"),
)

FIELDS_BY_ID = {f.id: f for f in FIELDS}
# Fields every create screen has and requires; the screen's other fields are the editable ones
# (a site's own screens, with more required fields or fewer fields, are in JiraState.screens).
SCREEN_REQUIRED = ("project", "issuetype", "summary")
# Required fields that need no value in the request: Jira fills them (the reporter is you).
SCREEN_DEFAULTED = ("reporter",)


def screen_fields(project: Project) -> tuple[FieldDef, ...]:
    """The fields on a project's default create screen."""
    incident_only = project.key != "INC"
    return tuple(f for f in FIELDS if (f.editable or f.id in ("project", "reporter"))
                 and f.kind not in ("fixed", "issuelinks", "comments", "status", "resolution")
                 and not (incident_only and f.custom))
CUSTOM_FIELDS = tuple(f for f in FIELDS if f.custom)


def field_by_clause(name: str) -> FieldDef | None:
    """Find a field as JQL names it: id, clause name, ``cf[N]`` or the display name."""
    lowered = name.lower()
    for f in FIELDS:
        if lowered == f.id.lower() or lowered in (c.lower() for c in f.clause_names):
            return f
    return next((f for f in FIELDS if f.name.lower() == lowered), None)


def status(status_id: str) -> Status:
    return next(s for s in STATUSES if s.id == status_id)


def find(items: tuple[dict, ...], ref: object) -> dict | None:
    """Look a catalogue item up by id or (case-insensitive) name."""
    text = str(ref).lower()
    return next((i for i in items if i["id"] == str(ref) or i["name"].lower() == text), None)


def project(ref: object) -> Project | None:
    text = str(ref)
    return next((p for p in PROJECTS if text in (p.id, p.key) or p.name.lower() == text.lower()
                 or p.key.lower() == text.lower()), None)


def link_type(ref: dict | str) -> dict | None:
    if isinstance(ref, dict):
        if ref.get("id"):
            return find(LINK_TYPES, ref["id"])
        ref = ref.get("name", "")
    text = str(ref).lower()
    if text == "duplicates":
        text = "duplicate"
    return next((t for t in LINK_TYPES if text in (t["name"].lower(), t["inward"], t["outward"])), None)

