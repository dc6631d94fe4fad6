"""The browsable Confluence pages: real URL shapes, rendered storage, and escaping."""

from __future__ import annotations

import pytest
import requests
from atlassian.confluence import ConfluenceServer

HOSTILE = '<script>alert("t")</script> & "quotes"'


@pytest.fixture
def cloud(sandbox) -> ConfluenceServer:  # noqa: ANN001 - shared fixture
    return ConfluenceServer(sandbox.url + "/wiki", username="demo@example.com",
                            password="demo-token", cloud=True)


def _get(url: str) -> requests.Response:
    response = requests.get(url, timeout=5)
    assert response.status_code == 200, url
    assert response.headers["Content-Type"].startswith("text/html")
    return response


def test_space_list_and_tree(sandbox) -> None:  # noqa: ANN001
    listing = _get(sandbox.url + "/wiki/").text
    assert "Postmortems" in listing and "Postmortem archive" in listing
    tree = _get(sandbox.url + "/wiki/spaces/PMARCHIVE").text
    assert "INC-1 Checkout latency spike" in tree
    assert "/wiki/spaces/PMARCHIVE/pages/98004/INC-1+Checkout+latency+spike" in tree


def test_seeded_page_renders_macros(sandbox) -> None:  # noqa: ANN001
    html = _get(sandbox.url + "/wiki/spaces/PMARCHIVE/pages/98004/INC-1+Checkout+latency+spike").text
    assert f'href="{sandbox.url}/browse/INC-1"' in html
    assert "lozenge-green" in html and "REVIEWED" in html
    assert "Page properties" in html and "<th>Severity</th>" in html
    assert "@Mina Park" in html
    assert "[x] " in html
    for label in ("postmortem", "sev2", "archived"):
        assert f'<span class="label">{label}</span>' in html
    assert "debrief" in html and "Version 1" in html


def test_hostile_text_is_escaped(cloud: ConfluenceServer, sandbox) -> None:  # noqa: ANN001
    page = cloud.create_page("PM", HOSTILE, "<p>&lt;img src=x onerror=alert(1)&gt;</p>",
                             version_comment=HOSTILE)
    cloud.set_page_label(page["id"], "x\"onmouseover='boom'")
    cloud.set_page_property(page["id"], {"key": "<k>", "value": {"v": "</code><script>"}})
    cloud.add_comment(page["id"], "<p>&lt;script&gt;bad()&lt;/script&gt;</p>")
    child = cloud.create_page("PM", "</a><script>x()</script>", "<p>c</p>", parent_id=page["id"])
    html = _get(sandbox.url + "/wiki" + page["_links"]["webui"]).text
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;t&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;" in html
    assert "<img" not in html
    assert "x&#34;onmouseover=&#39;boom&#39;" in html
    assert "&lt;k&gt;" in html
    tree = _get(sandbox.url + "/wiki/spaces/PM").text
    assert "<script>" not in tree
    child_html = _get(sandbox.url + "/wiki" + child["_links"]["webui"]).text
    assert "<script>" not in child_html


def test_moved_page_redirects_and_unknown_page_is_404(cloud: ConfluenceServer,
                                                      sandbox) -> None:  # noqa: ANN001
    page_id = cloud.create_page("PM", "Wanderer", "<p>x</p>")["id"]
    cloud.put(f"rest/api/content/{page_id}/move/append/98002")
    old = requests.get(f"{sandbox.url}/wiki/spaces/PM/pages/{page_id}/Wanderer",
                       allow_redirects=False, timeout=5)
    assert old.status_code == 302
    assert old.headers["Location"].endswith(f"/wiki/spaces/PMARCHIVE/pages/{page_id}/Wanderer")
    missing = requests.get(f"{sandbox.url}/wiki/spaces/PM/pages/1/Nothing", timeout=5)
    assert missing.status_code == 404
    assert requests.get(f"{sandbox.url}/wiki/spaces/NOPE", timeout=5).status_code == 404
