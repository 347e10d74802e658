"""``sladesk policy check FILE`` and ``sladesk policy show``: the policy file, for people.

``check`` validates a file before it is deployed (exit 1, one problem per line on
stderr); ``show`` prints what the desk will enforce, laid out like the contract's own
tables, so a support manager can compare the two side by side.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from sladesk.policy import (
    Plan,
    Policy,
    PolicyError,
    Target,
    get_policy,
    load_policy,
    policy_path,
)
from sladesk.policy.schema import format_duration


class Command(BaseCommand):
    help = (
        "Check or show a support policy file (TOML; see docs/policy.md).\n"
        "\n"
        "  sladesk policy check [FILE]\n"
        "      validate FILE; exit 1 and list every problem on stderr if it is invalid\n"
        "  sladesk policy show [--policy FILE] [--json]\n"
        "      print the plans, calendars, severities and target tables of FILE\n"
        "      (default: the policy in force, setting SLADESK_POLICY)\n"
        "\n"
        "Run 'sladesk policy check --help' or 'sladesk policy show --help' for details."
    )
    # A broken policy in force must not stop the command that diagnoses it.
    requires_system_checks: list[str] = []

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        """Keep the help's line breaks (the subcommand summary is a small table)."""
        from argparse import RawDescriptionHelpFormatter

        return super().create_parser(
            prog_name, subcommand, formatter_class=RawDescriptionHelpFormatter, **kwargs
        )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(
            dest="action", required=True, metavar="{check,show}", title="subcommands"
        )
        check = actions.add_parser(
            "check",
            help="validate a policy file",
            description=(
                "Validate a policy file. Print 'FILE: valid (...)' and exit 0, or print "
                "each problem on stderr, one per line, and exit 1."
            ),
        )
        check.add_argument(
            "file",
            metavar="FILE",
            nargs="?",
            help="the policy file (TOML) to check (default: the one in force, setting SLADESK_POLICY)",
        )
        show = actions.add_parser(
            "show",
            help="print a policy as readable tables",
            description=(
                "Print the plans with their entitlements, the calendars with their windows "
                "and holidays, the severity levels and the target tables (plans x levels)."
            ),
        )
        show.add_argument(
            "--policy",
            metavar="FILE",
            help="the policy file to show (default: the one in force, setting SLADESK_POLICY)",
        )
        show.add_argument("--json", action="store_true", help="print one JSON object instead")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "check":
            self.check_file(options["file"])
        else:
            self.show_policy(options.get("policy"), as_json=bool(options.get("json")))

    def fail(self, error: PolicyError) -> CommandError:
        """Write each problem on its own stderr line; return the error that exits 1."""
        for line in error.lines():
            self.stderr.write(line)
        count = len(error.problems)
        return CommandError(f"{error.source}: invalid ({count} problem{'s' if count != 1 else ''})")

    def check_file(self, path: str | None) -> None:
        path = path or policy_path()
        try:
            policy = load_policy(path)
        except PolicyError as exc:
            raise self.fail(exc) from None
        self.stdout.write(f"{path}: valid ({summary(policy)})")

    def show_policy(self, path: str | None, *, as_json: bool) -> None:
        try:
            policy = load_policy(path) if path else get_policy()
        except PolicyError as exc:
            raise self.fail(exc) from None
        if as_json:
            self.stdout.write(json.dumps(policy_to_dict(policy), indent=2, ensure_ascii=False))
        else:
            self.stdout.write("\n".join(render(policy)))


def summary(policy: Policy) -> str:
    """Return ``"version 2026.1+abc, 3 plans, 4 calendars, 4 severities, 9 exclusions"``."""
    return (
        f"version {policy.version}, {len(policy.plans)} plans, "
        f"{len(policy.calendars)} calendars, {len(policy.severities)} severities, "
        f"{len(policy.exclusions)} exclusions"
    )


def table(rows: Sequence[Sequence[str]], *, indent: str = "  ") -> list[str]:
    """Lay rows out in columns padded to their widest cell (the first row is the header)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return [
        indent
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]


def target_table(policy: Policy, attribute: str) -> list[str]:
    """Return the plans x levels table of one kind of target (cells like ``1 h in always``)."""
    levels = list(policy.severities)
    rows: list[list[str]] = [["plan", *levels]]
    for plan in policy.plans.values():
        targets: dict[str, Target] = getattr(plan, attribute)
        rows.append([plan.id, *(targets[lv].label() if lv in targets else "-" for lv in levels)])
    return table(rows)


_YES_NO = {True: "yes", False: "no"}


def _limit(value: int | None) -> str:
    return "unlimited" if value is None else str(value)


def _listed(values: Iterable[str], order: Sequence[str] = ()) -> str:
    items = sorted(values, key=lambda v: (order.index(v) if v in order else len(order), v))
    return ", ".join(items) if items else "none"


def render_plan(plan: Plan, levels: Sequence[str]) -> list[str]:
    e = plan.entitlements
    from sladesk.policy.loader import CHANNELS

    contacts = "required" if e.named_contacts_required else "not required"
    rows = [
        ["channels", _listed(e.channels, CHANNELS)],
        ["e-mail support", _YES_NO[e.email_support]],
        ["named contacts", f"{contacts}, limit {_limit(e.named_contact_limit)}"],
        ["non-production environments", _limit(e.non_production_environments)],
        ["weekend coverage", _listed(e.weekend_coverage_levels, levels)],
        ["senior support routing", _YES_NO[e.senior_routing]],
        ["development priority", _YES_NO[e.development_priority]],
        ["screen sharing and calls", _YES_NO[e.screen_sharing]],
        ["health checks", _YES_NO[e.health_checks]],
        ["deployment advisory", _YES_NO[e.deployment_advisory]],
        ["onboarding", _YES_NO[e.onboarding]],
        ["roadmap influence", _YES_NO[e.roadmap_influence]],
    ]
    lines = [f"{plan.id}: {plan.marketing_name}"]
    if plan.name != plan.marketing_name:
        lines.append(f"  short name: {plan.name}")
    if plan.includes:
        lines.append("  includes: " + "; ".join(plan.includes))
    lines.extend(table(rows, indent="    "))
    return lines


def render(policy: Policy) -> list[str]:
    """Return the whole policy as readable text, section by section."""
    levels = list(policy.severities)
    out = [
        f"{policy.name} ({policy.id}), {policy.vendor}",
        f"version {policy.version}  source {policy.source}",
        f"times shown in {policy.zone}; SLA warnings at "
        + ", ".join(f"{t:.0%}" for t in policy.warning_thresholds),
        "",
        "First-response targets",
        *target_table(policy, "first_response"),
    ]
    if any(plan.next_reply for plan in policy.plans.values()):
        out += ["", "Next-reply targets", *target_table(policy, "next_reply")]
    if any(plan.resolution for plan in policy.plans.values()):
        out += ["", "Resolution targets", *target_table(policy, "resolution")]

    out += ["", "Severity levels"]
    for severity in policy.severities.values():
        out.append(f"  {severity.id}  {severity.name}")
        out.extend(f"        - {item}" for item in severity.characteristics)
    rule = policy.production
    override = "an agent may override it with a reason" if rule.agent_may_override else "fixed"
    out.append(f"  non-production tickets: {rule.non_production_severity} ({override})")

    out += ["", "Plans"]
    for plan in policy.plans.values():
        out.extend("  " + line for line in render_plan(plan, levels))

    out += ["", "Calendars"]
    for spec in policy.calendars.values():
        out.append(f"  {spec.id} ({spec.name}): {spec.description}")
        if spec.kind == "windows":
            out.append("      windows: " + ", ".join(w.describe() for w in spec.windows))
        else:
            out.append(f"      {spec.kind} of: " + ", ".join(spec.parts))

    if policy.holiday_rules:
        out += ["", "Holidays"]
    for rule_ in policy.holiday_rules.values():
        where = rule_.country + (f"-{rule_.subdivision}" if rule_.subdivision else "")
        observed = "observed dates" if rule_.observed else "actual dates"
        out.append(
            f"  {rule_.id}: {where}, {observed}, {rule_.years[0]}..{rule_.years[1]}, "
            f"{len(rule_.dates)} dates"
        )
        if rule_.only:
            out.append("      only: " + "; ".join(rule_.only))
        by_year: dict[int, list[str]] = {}
        for day in sorted(rule_.dates):
            by_year.setdefault(day.year, []).append(day.strftime("%a %d %b"))
        out.extend(f"      {year}: " + ", ".join(days) for year, days in by_year.items())

    contacts = policy.contacts
    out += [
        "",
        "Contacts",
        f"  end users supported: {_YES_NO[contacts.end_users_supported]}",
        f"  company domain required: {_YES_NO[contacts.company_domain_required]}",
        f"  role addresses refused for: {contacts.refuse_role_addresses.replace('_', ' ')}",
        "  role local parts: " + ", ".join(sorted(contacts.role_local_parts)),
        "",
        "Releases",
        f"  supported: {policy.releases.rule.replace('_', ' ')}"
        + (
            "; extended-support releases until their end date"
            if policy.releases.extended_support_until_end
            else ""
        ),
        "",
        "Out of scope",
    ]
    for exclusion in policy.exclusions:
        out.append(f"  {exclusion.id}: {exclusion.title}. {exclusion.reason}")
        if exclusion.pointer:
            out.append(f"      instead: {exclusion.pointer}")
    return out


def _target_dict(target: Target) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": target.kind,
        "calendar": target.calendar,
        "label": target.label(),
    }
    if target.within is not None:
        data["within_seconds"] = int(target.within.total_seconds())
        data["within"] = format_duration(target.within)
    if target.at is not None:
        data["at"] = target.at.strftime("%H:%M")
    return data


def policy_to_dict(policy: Policy) -> dict[str, Any]:
    """Return the policy as JSON-ready data (what ``show --json`` prints)."""
    return {
        "id": policy.id,
        "name": policy.name,
        "vendor": policy.vendor,
        "version": policy.version,
        "file_version": policy.file_version,
        "content_hash": policy.content_hash,
        "source": policy.source,
        "zone": policy.zone,
        "warning_thresholds": list(policy.warning_thresholds),
        "severities": {
            s.id: {"name": s.name, "rank": s.rank, "characteristics": list(s.characteristics)}
            for s in policy.severities.values()
        },
        "production": {
            "non_production_severity": policy.production.non_production_severity,
            "agent_may_override": policy.production.agent_may_override,
            "description": policy.production.description,
        },
        "plans": {
            plan.id: {
                "name": plan.name,
                "marketing_name": plan.marketing_name,
                "includes": list(plan.includes),
                "entitlements": {
                    "channels": sorted(plan.entitlements.channels),
                    "email_support": plan.entitlements.email_support,
                    "named_contacts_required": plan.entitlements.named_contacts_required,
                    "named_contact_limit": plan.entitlements.named_contact_limit,
                    "non_production_environments": plan.entitlements.non_production_environments,
                    "senior_routing": plan.entitlements.senior_routing,
                    "development_priority": plan.entitlements.development_priority,
                    "weekend_coverage_levels": sorted(plan.entitlements.weekend_coverage_levels),
                    "screen_sharing": plan.entitlements.screen_sharing,
                    "health_checks": plan.entitlements.health_checks,
                    "deployment_advisory": plan.entitlements.deployment_advisory,
                    "onboarding": plan.entitlements.onboarding,
                    "roadmap_influence": plan.entitlements.roadmap_influence,
                },
                "first_response": {k: _target_dict(t) for k, t in plan.first_response.items()},
                "next_reply": {k: _target_dict(t) for k, t in plan.next_reply.items()},
                "resolution": {k: _target_dict(t) for k, t in plan.resolution.items()},
            }
            for plan in policy.plans.values()
        },
        "calendars": {
            spec.id: {
                "name": spec.name,
                "kind": spec.kind,
                "zone": spec.zone,
                "description": spec.description,
                "windows": [w.describe() for w in spec.windows],
                "parts": list(spec.parts),
                "holidays": spec.holidays,
                "open_on_holidays": spec.open_on_holidays,
            }
            for spec in policy.calendars.values()
        },
        "holidays": {
            rule.id: {
                "country": rule.country,
                "subdivision": rule.subdivision,
                "observed": rule.observed,
                "only": list(rule.only),
                "extra_dates": list(rule.extra_dates),
                "removed_dates": list(rule.removed_dates),
                "years": list(rule.years),
                "language": rule.language,
                "dates": [day.isoformat() for day in sorted(rule.dates)],
            }
            for rule in policy.holiday_rules.values()
        },
        "contacts": {
            "role_local_parts": sorted(policy.contacts.role_local_parts),
            "end_users_supported": policy.contacts.end_users_supported,
            "company_domain_required": policy.contacts.company_domain_required,
            "refuse_role_addresses": policy.contacts.refuse_role_addresses,
        },
        "releases": {
            "rule": policy.releases.rule,
            "extended_support_until_end": policy.releases.extended_support_until_end,
        },
        "exclusions": [
            {"id": x.id, "title": x.title, "reason": x.reason, "pointer": x.pointer}
            for x in policy.exclusions
        ],
    }
