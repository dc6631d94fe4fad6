"""The Confluence content a fresh sandbox starts with.

Spaces: ``PM`` (postmortem drafts, home page 98001) and ``PMARCHIVE`` (the archive, home page
98002). Two sample pages: a how-to under the PM home (98003) and an archived postmortem (98004).
"""

from __future__ import annotations

from sandbox.people import PEOPLE

from .model import Content, Space
from .state import ConfluenceState

SEEDED_AT = "2024-05-02T09:15:00.000Z"
ADMIN = PEOPLE[0].account_id
COMMANDER = PEOPLE[1].account_id

PM_HOME = """<h1>Postmortems</h1>
<p>Drafts of incident postmortems live here until they are reviewed and archived.</p>
<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">How this space works</ac:parameter>
<ac:rich-text-body><p>Each draft is created from an incident and labelled <code>postmortem</code>.</p>
</ac:rich-text-body></ac:structured-macro>
<ac:structured-macro ac:name="children"><ac:parameter ac:name="all">true</ac:parameter></ac:structured-macro>"""

ARCHIVE_HOME = """<h1>Postmortem archive</h1>
<p>Reviewed postmortems, kept for reference.</p>
<ac:structured-macro ac:name="detailssummary">
<ac:parameter ac:name="cql">label = "postmortem" and space = currentSpace()</ac:parameter>
<ac:parameter ac:name="headings">Severity,Status</ac:parameter></ac:structured-macro>"""

GUIDE = """<h2>Writing a postmortem</h2>
<ol><li>Describe the impact.</li><li>Build the timeline.</li><li>List action items.</li></ol>
<p>Blameless:&nbsp;focus on systems, not people.</p>"""

SAMPLE = f"""<ac:structured-macro ac:name="details"><ac:rich-text-body><table><tbody>
<tr><th>Incident</th><td><ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">INC-1</ac:parameter></ac:structured-macro></td></tr>
<tr><th>Severity</th><td>SEV2</td></tr>
<tr><th>Status</th><td><ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Green</ac:parameter><ac:parameter ac:name="title">REVIEWED</ac:parameter></ac:structured-macro></td></tr>
<tr><th>Owner</th><td><ac:link><ri:user ri:account-id="{COMMANDER}"/></ac:link></td></tr>
</tbody></table></ac:rich-text-body></ac:structured-macro>
<h2>Summary</h2><p>Checkout latency rose to 4 s for 38 minutes after a cache node failed.</p>
<h2>Timeline</h2><ul><li>09:02 alert fired</li><li>09:40 cache node replaced</li></ul>
<h2>Action items</h2><ac:task-list><ac:task><ac:task-id>1</ac:task-id><ac:task-status>complete</ac:task-status><ac:task-body>Add cache node health alert</ac:task-body></ac:task></ac:task-list>"""


def seed(state: ConfluenceState) -> None:
    for key, name, description in (
        ("PM", "Postmortems", "Postmortem drafts"),
        ("PMARCHIVE", "Postmortem archive", "Reviewed postmortems"),
    ):
        state.spaces[key] = Space(id=state.next_space_id, key=key, name=name,
                                  description=description, created=SEEDED_AT, created_by=ADMIN)
        state.next_space_id += 1
    pm_home = _page(state, "PM", "Postmortems Home", PM_HOME, None)
    archive_home = _page(state, "PMARCHIVE", "Postmortem archive Home", ARCHIVE_HOME, None)
    state.spaces["PM"].homepage_id = pm_home.id
    state.spaces["PMARCHIVE"].homepage_id = archive_home.id
    guide = _page(state, "PM", "How to write a postmortem", GUIDE, pm_home.id)
    guide.labels = ["guide"]
    sample = _page(state, "PMARCHIVE", "INC-1 Checkout latency spike", SAMPLE, archive_home.id,
                   author=COMMANDER)
    sample.labels = ["postmortem", "sev2", "archived"]
    sample.watchers = [COMMANDER]
    for content in (guide, sample):
        for label in content.labels:
            state.label_id(label)
    state.create_property(sample.id, "debrief", {"incident": "INC-1", "stage": "archived"},
                          COMMANDER)
    sample.properties["debrief"].when = SEEDED_AT


def _page(state: ConfluenceState, space: str, title: str, body: str, parent: str | None,
          author: str = ADMIN) -> Content:
    content = Content(id=state.allocate_content_id(), type="page", title=title, space_key=space,
                      body=body, created=SEEDED_AT, created_by=author, parent_id=parent)
    return state.insert(content, author)


def seeded_state() -> ConfluenceState:
    """A fresh ConfluenceState holding the seed; the seed counts as indexed already (no search lag)."""
    state = ConfluenceState()
    seed(state)
    state.search_history.clear()
    return state
