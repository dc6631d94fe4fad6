"""Sending Debrief's e-mails through the SMTP server named by ``SMTP_URL``.

``smtp://[user:password@]host[:port]`` (port 25 by default; ``?starttls=1`` upgrades the
connection), ``smtps://...`` (TLS from the start, port 465). The sender is ``DEBRIEF_MAIL_FROM``
or ``debrief@<host>``. A refused or unreachable server is a ``MailError`` (transient: the job
retries); nothing is retried here, so a caller's claim decides whether a mail may go again.
"""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from connector.errors import TransientAtlassianError
from postmortem.review.share import Mail


class MailError(TransientAtlassianError):
    """The SMTP server did not take the message."""


class MailNotConfigured(ValueError):
    pass


class Mailer:
    def __init__(self, url: str, sender: str | None = None, *, timeout: float = 15.0):
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailNotConfigured(f"SMTP_URL must look like smtp://host:port or smtps://host, got {parts.scheme}://...")
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname
        self.port = parts.port or (465 if self.tls else 25)
        self.user = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.starttls = parse_qs(parts.query).get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.sender = sender or f"debrief@{self.host}"
        self.timeout = timeout

    def message(self, mail: Mail) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(mail.to)
        msg["Subject"] = mail.subject
        msg["Date"] = formatdate(localtime=False)
        msg["Message-ID"] = make_msgid(domain="debrief")
        msg.set_content(mail.body)
        return msg

    def send(self, mail: Mail) -> list[str]:
        """Send ``mail``; the recipients the server refused (the others got it) are returned."""
        if not mail.to:
            return []
        msg = self.message(mail)
        try:
            if self.tls:
                client = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                          context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            with client:
                if self.starttls:
                    client.starttls(context=ssl.create_default_context())
                if self.user:
                    client.login(self.user, self.password or "")
                refused = client.send_message(msg)
        except (smtplib.SMTPException, OSError) as exc:
            raise MailError(f"the SMTP server {self.host}:{self.port} did not take the e-mail: {exc}",
                            operation="send e-mail") from None
        if len(refused) == len(mail.to):
            raise MailError(f"the SMTP server refused every recipient: {', '.join(refused)}",
                            operation="send e-mail")
        return sorted(refused)
