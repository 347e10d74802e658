"""``sladesk env add|list|retire``: an organisation's Mattermost environments."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from sladesk.accounts.management.base import DeskCommand
from sladesk.accounts.models import Environment
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.selectors import environment_list, organisation_find, release_support
from sladesk.accounts.services import EnvironmentInput, environment_add, environment_retire
from sladesk.core import time
from sladesk.core.exceptions import NotFound


class Command(DeskCommand):
    help = (
        "Manage an organisation's Mattermost environments (deployments). Premier licenses at most "
        "4 non-production environments; the fifth is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = self.add_actions(parser)
        add = actions.add_parser(
            "add", help="register an environment", description="Register an environment."
        )
        add.add_argument("--org", required=True, help="organisation id, reference or exact name")
        add.add_argument("--name", required=True)
        kind = add.add_mutually_exclusive_group(required=True)
        kind.add_argument(
            "--production", dest="production", action="store_true", help="used by business users"
        )
        kind.add_argument(
            "--non-production", dest="production", action="store_false", help="testing, staging..."
        )
        add.add_argument(
            "--version", dest="server_version", required=True, help="server version, e.g. 11.7.9"
        )
        add.add_argument("--edition", default="enterprise", choices=Environment.Edition.values)
        add.add_argument("--database", default="postgresql", choices=Environment.Database.values)
        add.add_argument("--database-version", default="")
        add.add_argument("--os", default="", help="operating system, e.g. 'Ubuntu 24.04'")
        add.add_argument("--deployment", default="package", choices=Environment.Deployment.values)
        add.add_argument("--cluster-size", type=int, default=1, help="number of nodes (default 1)")
        add.add_argument("--users", type=int, default=None, help="number of users")
        add.add_argument("--notes", default="")

        lst = actions.add_parser("list", help="list environments", description="List environments.")
        lst.add_argument("--org", required=True)

        retire = actions.add_parser(
            "retire", help="retire an environment", description="Retire an environment."
        )
        retire.add_argument("id", type=int)

    def do_add(self, **options: Any) -> None:
        environment = environment_add(
            organisation=organisation_find(options["org"]),
            data=EnvironmentInput(
                name=options["name"],
                is_production=options["production"],
                version=options["server_version"],
                edition=options["edition"],
                database_type=options["database"],
                database_version=options["database_version"],
                os=options["os"],
                deployment_type=options["deployment"],
                cluster_size=options["cluster_size"],
                user_count=options["users"],
                notes=options["notes"],
            ),
            actor=self.actor,
        )
        policy = current_policy()
        status = release_support(
            version=environment.version, on=desk_date(at=time.now(), policy=policy), policy=policy
        )
        self.say(
            f"Added environment {environment} to {environment.organisation.name} (id {environment.pk})."
        )
        if not status.supported:
            self.say(f"Note: {status.message}")

    def do_list(self, **options: Any) -> None:
        organisation = organisation_find(options["org"])
        policy = current_policy()
        today = desk_date(at=time.now(), policy=policy)
        rows = list(environment_list(organisation=organisation))
        for env in rows:
            status = release_support(version=env.version, on=today, policy=policy)
            mark = "supported" if status.supported else status.code
            kind = "production" if env.is_production else "non-production"
            self.stdout.write(f"{env.pk:>5}  {env.name} ({kind}, {env.version}: {mark})")
        self.say(f"{len(rows)} environment(s) of {organisation.name}.")

    def do_retire(self, **options: Any) -> None:
        environment = Environment.objects.filter(pk=options["id"]).first()
        if environment is None:
            raise NotFound(f"no environment {options['id']}", code="environment_not_found")
        environment_retire(environment=environment, actor=self.actor)
        self.say(f"Retired environment {environment.name}.")
