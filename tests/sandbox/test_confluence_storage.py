"""Storage format: well-formedness as Confluence checks it, and the HTML rendering."""

from __future__ import annotations

import pytest

from sandbox.confluence import storage

LINKS = storage.RenderLinks(
    site_base="http://site.test",
    page_url=lambda space, title: f"/wiki/spaces/{space}/pages/1/x" if title == "Known" else None,
    user_name=lambda who: "Mina Park" if who == "acc-1" else None,
)


@pytest.mark.parametrize(
    "body",
    [
        "",
        "plain text",
        "<p>a &amp; b &lt; c</p>",
        "<p>&nbsp;&mdash;&hellip;&rsquo;&copy;</p>",
        "<p>&#160;&#x2014;</p>",
        "<br/><hr/>",
        '<ac:emoticon ac:name="smile"/>',
        '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[a < b && c]]>'
        "</ac:plain-text-body></ac:structured-macro>",
        '<ac:link><ri:page ri:content-title="T" ri:space-key="PM"/></ac:link>',
    ],
)
def test_valid_storage(body: str) -> None:
    storage.validate(body)


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ("<p>unclosed", "Error parsing xhtml"),
        ("<p><b>x</p></b>", "mismatch"),
        ("a & b", "Error parsing xhtml"),
        ("<p>&bogus;</p>", "bogus"),
        ("<x:y/>", "Namespace prefix"),
        ("<br>", "Error parsing xhtml"),
        ('<!DOCTYPE x [<!ENTITY e "boom">]><p>&e;</p>', "DOCTYPE"),
    ],
)
def test_invalid_storage(body: str, fragment: str) -> None:
    with pytest.raises(storage.StorageFormatError) as caught:
        storage.validate(body)
    assert str(caught.value).startswith("Error parsing xhtml")
    assert fragment in str(caught.value)


def test_plain_text_skips_macro_parameters() -> None:
    body = ('<h1>Impact</h1><ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">'
            'Red</ac:parameter></ac:structured-macro><p>Users saw&nbsp;errors</p>')
    text = storage.plain_text(body)
    assert text.startswith("Impact Users saw")
    assert text.endswith("errors")
    assert "Red" not in text


def test_render_keeps_structure_and_shows_macros() -> None:
    body = (
        "<h2>Timeline</h2><table><tbody><tr><th>When</th><td>09:00</td></tr></tbody></table>"
        "<ul><li>one</li></ul>"
        '<ac:structured-macro ac:name="status"><ac:parameter ac:name="colour">Red</ac:parameter>'
        '<ac:parameter ac:name="title">OPEN</ac:parameter></ac:structured-macro>'
        '<ac:structured-macro ac:name="jira"><ac:parameter ac:name="key">INC-7</ac:parameter>'
        "</ac:structured-macro>"
        '<ac:structured-macro ac:name="info"><ac:parameter ac:name="title">Heads up</ac:parameter>'
        "<ac:rich-text-body><p>inside</p></ac:rich-text-body></ac:structured-macro>"
        '<ac:structured-macro ac:name="expand"><ac:parameter ac:name="title">More</ac:parameter>'
        "<ac:rich-text-body><p>hidden</p></ac:rich-text-body></ac:structured-macro>"
        '<ac:link><ri:page ri:content-title="Known" ri:space-key="PM"/></ac:link>'
        '<ac:link><ri:user ri:account-id="acc-1"/></ac:link>'
    )
    html = storage.render_html(body, LINKS)
    for expected in ("<h2>Timeline</h2>", "<th>When</th>", "<li>one</li>", "lozenge-red",
                     ">OPEN<", 'href="http://site.test/browse/INC-7"', "macro-info",
                     "Heads up", "<details", "<summary>More</summary>",
                     'href="/wiki/spaces/PM/pages/1/x"', "@Mina Park"):
        assert expected in html


def test_render_escapes_and_drops_active_content() -> None:
    body = ('<p>&lt;script&gt;alert(1)&lt;/script&gt;</p><script>alert(2)</script>'
            '<a href="javascript:alert(3)">x</a><p onclick="alert(4)">y</p>'
            '<ac:structured-macro ac:name="status"><ac:parameter ac:name="title">'
            '&lt;img src=x onerror=alert(5)&gt;</ac:parameter></ac:structured-macro>')
    html = storage.render_html(body, LINKS)
    assert "<script" not in html
    assert "&lt;script&gt;" in html
    assert "javascript:" not in html
    assert "onclick" not in html
    assert "<img" not in html
