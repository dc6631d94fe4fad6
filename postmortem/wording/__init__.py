"""Blameless wording and end users' privacy, checked in page text (English and Korean).

``check_text(text, policy)`` and ``check_page_text(sections, policy)`` return Findings with
character offsets; ``mask_text`` masks them. ``PrivacyPolicy`` carries app.yaml's
``privacy`` settings.
"""

from postmortem.wording.check import (
           blame_findings,
           check_page_text,
           check_text,
           mask_text,
           privacy_findings,
)
from postmortem.wording.findings import Finding, finding_id
from postmortem.wording.privacy import PrivacyPolicy

__all__ = ["Finding", "PrivacyPolicy", "blame_findings", "check_page_text", "check_text", "finding_id",
           "mask_text", "privacy_findings"]
