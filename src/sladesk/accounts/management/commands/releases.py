"""``sladesk releases load [FILE]|list``: the vendor's release catalogue."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandParser

from sladesk.accounts.management.base import DeskCommand, date_arg
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.releases import support_status
from sladesk.accounts.selectors import release_catalogue, release_list
from sladesk.accounts.services import release_catalogue_load, release_file_parse
from sladesk.accounts.services.releases import shipped_catalogue_path
from sladesk.core import time


class Command(DeskCommand):
    help = (
        "Load the release catalogue from a data file (TOML [[release]] tables or JSON; without "
        "FILE, the catalogue shipped with sladesk) and list it with what the policy's release rule "
        "supports. The whole file is checked before anything changes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        load = actions.add_parser(
            "load", help="load a catalogue file", description="Add or update the releases of FILE."
        )
        load.add_argument("file", nargs="?", help="catalogue file (default: the shipped one)")
        load.add_argument(
            "--prune", action="store_true", help="remove releases the file does not list"
        )

        lst = actions.add_parser(
            "list", help="list the catalogue", description="List the catalogue."
        )
        lst.add_argument("--on", type=date_arg, help="the day to judge support on (default: today)")

    def do_load(self, **options: Any) -> None:
        path = Path(options["file"]) if options["file"] else shipped_catalogue_path()
        specs = release_file_parse(path)
        result = release_catalogue_load(
            specs=specs, prune=options["prune"], source=path.name, actor=self.actor
        )
        self.say(f"Loaded {len(specs)} releases from {path.name}: {result.describe()}.")

    def do_list(self, **options: Any) -> None:
        policy = current_policy()
        day = options["on"] or desk_date(at=time.now(), policy=policy)
        catalogue = release_catalogue()
        self.stdout.write(f"Rule {policy.releases.rule}, on {day}:")
        for release in release_list():
            status = support_status(
                version_text=release.version,
                catalogue=catalogue,
                rule=policy.releases.rule,
                extended_support_until_end=policy.releases.extended_support_until_end,
                on=day,
            )
            esr = " ESR" if release.extended_support else ""
            ends = f", vendor support ends {release.support_ends}" if release.support_ends else ""
            mark = "SUPPORTED" if status.supported else "-"
            self.stdout.write(
                f"  v{release.version:<8}{esr:<4} released {release.released_on}{ends}  {mark}"
            )
