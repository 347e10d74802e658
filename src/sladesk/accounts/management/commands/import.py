"""``sladesk import orgs FILE.csv``: create organisations in bulk, all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from sladesk.accounts.management.base import DeskCommand
from sladesk.accounts.services import organisations_csv_parse, organisations_import
from sladesk.accounts.services.imports import OPTIONAL_COLUMNS, REQUIRED_COLUMNS, OrganisationRow


class Command(DeskCommand):
    help = (
        "Import organisations from a CSV file with a header row. Columns: "
        f"{', '.join(REQUIRED_COLUMNS)} (required; domains separated by ';'), "
        f"{', '.join(OPTIONAL_COLUMNS)} (optional; plan + starts_on also sell a subscription). "
        "All or nothing: if any row is refused, every bad row is reported with its line number "
        "and nothing is imported."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        orgs = actions.add_parser(
            "orgs",
            help="import organisations from CSV",
            description="Import organisations from CSV.",
        )
        orgs.add_argument("file", help="the CSV file (UTF-8)")
        orgs.add_argument("--dry-run", action="store_true", help="check every row, change nothing")

    def do_orgs(self, **options: Any) -> None:
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc}") from None
        rows = organisations_csv_parse(text, source=path.name)
        self.say(f"{path.name}: {len(rows)} organisation(s) to import.")

        def progress(n: int, total: int, row: OrganisationRow, note: str) -> None:
            self.say(f"  [{n}/{total}] line {row.line}: {row.name}: {note}")

        result = organisations_import(
            rows=rows,
            actor=self.actor,
            source=path.name,
            dry_run=options["dry_run"],
            progress=progress,
        )
        if result.dry_run:
            self.say(f"Dry run: all {len(result.created)} rows are valid; nothing was imported.")
        else:
            self.say(
                f"Imported {len(result.created)} organisation(s) and {result.subscriptions} subscription(s)."
            )
