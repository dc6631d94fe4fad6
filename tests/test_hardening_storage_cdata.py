"""``<!DOCTYPE html>`` inside the CDATA of a code macro is text, not a declaration: the sandbox
Confluence and Debrief's own storage check both accept such a page, and still refuse a real
DOCTYPE outside CDATA."""

from __future__ import annotations

import pytest
import requests

from postmortem.storage_format import StorageFormatError, check_storage, storage_text
from sandbox.confluence import storage as sandbox_storage
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL

SNIPPET = "<!DOCTYPE html>\n<html><head><title>Down</title></head><body>503</body></html>"
CODE_PAGE = ('<h2>Reproduction</h2><ac:structured-macro ac:name="code"><ac:parameter ac:name="language">'
             f"html</ac:parameter><ac:plain-text-body><![CDATA[{SNIPPET}]]></ac:plain-text-body>"
             "</ac:structured-macro><p>The page <!-- <!DOCTYPE html> --> above is what users saw.</p>")
REAL_DOCTYPES = ['<!DOCTYPE html><p>x</p>', '<p>a</p><!DOCTYPE x [<!ENTITY e "boom">]><p>&e;</p>',
                 '<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[ok]]></ac:plain-text-body>'
                 '</ac:structured-macro><!DOCTYPE html>']
AUTH = (DEMO_EMAIL, DEMO_API_TOKEN)


def test_debrief_accepts_an_html_snippet_in_a_code_macro():
    check_storage(CODE_PAGE)
    assert "<!DOCTYPE html>" in storage_text(CODE_PAGE)


@pytest.mark.parametrize("body", REAL_DOCTYPES)
def test_debrief_refuses_a_real_doctype(body):
    with pytest.raises(StorageFormatError, match="declarations are not allowed"):
        check_storage(body)


def test_debrief_explains_an_error_next_to_a_doctype_in_cdata_truly():
    body = ('<ac:structured-macro ac:name="code"><ac:plain-text-body><![CDATA[\x01<!DOCTYPE html>]]>'
            "</ac:plain-text-body></ac:structured-macro>")
    with pytest.raises(StorageFormatError) as caught:
        check_storage(body)
    assert "declaration" not in caught.value.reason and "invalid token" in caught.value.reason


def test_sandbox_storage_accepts_the_snippet_and_refuses_real_doctypes():
    sandbox_storage.validate(CODE_PAGE)
    for body in REAL_DOCTYPES:
        with pytest.raises(sandbox_storage.StorageFormatError, match="DOCTYPE is not allowed"):
            sandbox_storage.validate(body)


def test_sandbox_page_with_the_snippet_is_stored_and_served_back(sandbox):
    wiki = f"{sandbox.url}/wiki"
    created = requests.post(f"{wiki}/rest/api/content", auth=AUTH, timeout=10, json={
        "type": "page", "title": "INC-9 HTML error page", "space": {"key": "PM"},
        "body": {"storage": {"value": CODE_PAGE, "representation": "storage"}}})
    assert created.status_code == 200, created.text
    page = requests.get(f"{wiki}/rest/api/content/{created.json()['id']}", auth=AUTH, timeout=10,
                        params={"expand": "body.storage"})
    assert page.status_code == 200 and page.json()["body"]["storage"]["value"] == CODE_PAGE
    refused = requests.post(f"{wiki}/rest/api/content", auth=AUTH, timeout=10, json={
        "type": "page", "title": "INC-9 real doctype", "space": {"key": "PM"},
        "body": {"storage": {"value": REAL_DOCTYPES[0], "representation": "storage"}}})
    assert refused.status_code == 400 and "DOCTYPE is not allowed" in refused.text
