"""``debrief lint``: blame and personal data in a text, a storage-format body or a page.

Exit 0 when nothing is found, 1 when something is, 2 on bad usage or unreadable input.
Offsets (``start``/``end``) are characters into the input as given, raw XML included.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from config.settings import ConfigError, config_path, default_privacy, load_settings
from postmortem.storage_format import StorageFormatError
from postmortem.wording import Finding, PrivacyPolicy, check_text, mask_text
from postmortem.wording.storage_text import looks_like_storage, storage_words


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", nargs="?", default="-", help="plain text or a storage-format body (default: stdin)")
    p.add_argument("--lang", choices=("en", "ko", "auto"), default="auto",
                   help="language of the text (default: auto, per sentence)")
    p.add_argument("--json", action="store_true", help='print {"findings": [...]} as JSON')
    p.add_argument("--mask", action="store_true", help="print the text with each finding masked")
    p.add_argument("--page", metavar="PAGE_ID", help="check a Confluence page's body instead of a file")
    p.add_argument("--config", help="path of app.yaml (default: DEBRIEF_CONFIG or ./app.yaml, if present)")


def _policy(path: str | None) -> PrivacyPolicy:
    target = Path(path) if path else config_path()
    if not path and not target.exists():
        return default_privacy()
    return load_settings(target).privacy


def lint_findings(text: str, policy: PrivacyPolicy, lang: str = "auto") -> list[Finding]:
    """Findings with offsets into ``text`` as given (a storage body is mapped back to its XML)."""
    if not looks_like_storage(text):
        return check_text(text, policy, lang)
    words = storage_words(text)
    out = []
    for f in check_text(words.text, policy, lang):
        start, end = words.raw_span(f.start, f.end)
        out.append(Finding(f.check, f.kind, start, end, text[start:end], f.message, f.suggestion,
                           words=f.text))
    return out


def _read(args: argparse.Namespace) -> str:
    if args.page:
        from config.environment import read_environment  # noqa: PLC0415 - only --page talks to Confluence
        from connector.clients import confluence_client  # noqa: PLC0415
        from connector.confluence import ConfluenceGateway  # noqa: PLC0415

        access = read_environment(need_atlassian=True).atlassian
        gateway = ConfluenceGateway(confluence_client(access), cloud=access.deployment == "cloud")
        page = gateway.page_with_body(args.page)
        return page["body"]["storage"]["value"]
    if args.file == "-":
        return sys.stdin.read()
    return Path(args.file).read_text(encoding="utf-8")


def lint_command(args: argparse.Namespace) -> int:
    try:
        policy = _policy(args.config)
    except ConfigError as exc:
        for line in exc.problems:
            print(line, file=sys.stderr)
        return 2
    try:
        text = _read(args)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"debrief lint: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - connector and environment errors, shown plainly
        print(f"debrief lint: cannot read page {args.page}: {exc}", file=sys.stderr)
        return 2
    try:
        findings = lint_findings(text, policy, args.lang)
    except StorageFormatError as exc:
        print(f"debrief lint: not a valid storage-format body: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"findings": [f.as_dict() for f in findings]}, ensure_ascii=False, indent=2))
    elif args.mask:
        sys.stdout.write(mask_text(text, findings))
    else:
        for f in findings:
            line = text.count("\n", 0, f.start) + 1
            print(f"{line}: {f.check}/{f.kind} [{f.id}] {f.text!r}: {f.message}")
            if f.suggestion:
                print(f"    suggestion: {f.suggestion}")
        print(f"{len(findings)} finding(s)", file=sys.stderr)
    return 1 if findings else 0
