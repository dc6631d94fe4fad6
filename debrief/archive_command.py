"""``debrief archive``: archive approved postmortems now, or say what would be archived.

- ``debrief archive --dry-run``: every approved page, what would move where (reads only);
- ``debrief archive INC-4``: archive that incident's postmortem now if its gates pass,
  otherwise print which gates fail (exit 1);
- ``debrief archive INC-4 --dry-run``: what archiving it would write.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime

from redis.exceptions import RedisError

from config.environment import redact_text
from connector.errors import AtlassianError
from debrief.operations import command_context


def archive_command(args: argparse.Namespace, out=sys.stdout) -> int:
    from jobs.archive import ArchiveApproved, archive_page  # noqa: PLC0415
    from jobs.draft import find_page  # noqa: PLC0415

    now = datetime.now(UTC)
    ctx = command_context("archive")
    if ctx is None:
        return 1
    try:
        if not args.incident:
            if not args.dry_run:
                print("debrief archive: name an incident (debrief archive INC-4), or use --dry-run to list "
                      "what the sweep would archive", file=sys.stderr)
                return 2
            steps = ArchiveApproved().plan(ctx, now)
            for step in steps:
                print(f"would {step.what}" if not step.what.startswith("would") else step.what, file=out)
            print(f"{len(steps)} step(s); nothing was written", file=out)
            return 0
        key = args.incident.strip().upper()
        page = find_page(ctx, key)
        if page is None:
            print(f"debrief archive: {key} has no postmortem page in the drafts or archive space", file=sys.stderr)
            return 1
        result = archive_page(ctx, now, str(page["id"]), dry_run=args.dry_run)
    except RedisError as exc:
        print(f"debrief archive: Redis is not answering: {redact_text(str(exc))}", file=sys.stderr)
        return 1
    except AtlassianError as exc:
        print(f"debrief archive: {exc}", file=sys.stderr)
        return 1
    print(f"{key}: page {result['page']}: {result['outcome']}" + (f": {result['reason']}" if result["reason"] else ""),
          file=out)
    for write in result["writes"]:
        print(f"  {'would ' if args.dry_run else ''}{write}", file=out)
    if result.get("url"):
        print(f"  {result['url']}", file=out)
    return 0 if result["outcome"] in ("archived", "done", "would archive") else 1
