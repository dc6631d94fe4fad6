"""The SMTP sender against a real local SMTP server, and check-config's reviewer check."""

from __future__ import annotations

import pytest

from config.environment import read_environment
from config.settings import load_settings
from connector.mail import Mailer, MailError, MailNotConfigured
from jobs.review import unknown_reviewers
from postmortem.review.share import Mail
from sandbox.people import DEMO_API_TOKEN, DEMO_EMAIL
from tests.plugins.service import ROOT


def test_mailer_delivers_to_the_local_server(smtp_server):
    Mailer(smtp_server.url, "debrief@example.com").send(Mail(("team@example.com",), "Postmortem approved: X",
                                                             "Body 한글\n"))
    (msg,) = smtp_server.inbox.messages
    assert msg["From"] == "debrief@example.com" and msg["Subject"] == "Postmortem approved: X"
    assert "Body 한글" in msg.get_content()


def test_mailer_errors_are_clear():
    with pytest.raises(MailNotConfigured):
        Mailer("http://127.0.0.1:25")
    with pytest.raises(MailError, match="did not take"):
        Mailer("smtp://127.0.0.1:9", timeout=2).send(Mail(("a@example.com",), "s", "b"))


def test_check_config_names_unknown_reviewers(sandbox):
    from dataclasses import replace

    settings = load_settings(ROOT / "app.yaml")
    settings = replace(settings, review=replace(settings.review, reviewers=("5b10ac8d82e05b22cc7d4ef8", "nobody-here")))
    env = read_environment({"JIRA_URL": sandbox.url, "CONFLUENCE_URL": f"{sandbox.url}/wiki",
                            "ATLASSIAN_USER": DEMO_EMAIL, "ATLASSIAN_TOKEN": DEMO_API_TOKEN})
    problems = unknown_reviewers(settings, env)
    assert problems == ["review.reviewers: 'nobody-here' is not an active Jira user (account id expected)"]
    assert unknown_reviewers(settings, read_environment({})) == []
