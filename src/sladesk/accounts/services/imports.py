"""Import organisations (and optionally their subscription) from a CSV file, all or nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db import transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.rules import split_list
from sladesk.accounts.services.organisations import organisation_create
from sladesk.accounts.services.subscriptions import subscription_add
from sladesk.core.exceptions import DeskError, ValidationFailed

if TYPE_CHECKING:
    from sladesk.policy.schema import Policy

REQUIRED_COLUMNS = ("name", "domains")
OPTIONAL_COLUMNS = ("slug", "time_zone", "notes", "plan", "starts_on", "ends_on")
MAX_REPORTED = 10


@dataclass(frozen=True, slots=True)
class OrganisationRow:
    """One data row of the file, with the physical line it started on."""

    line: int
    name: str
    domains: list[str]
    slug: str = ""
    time_zone: str = "UTC"
    notes: str = ""
    plan: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class RowError:
    line: int
    code: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message} ({self.code})"


@dataclass(slots=True)
class ImportResult:
    created: list[str] = field(default_factory=list)
    subscriptions: int = 0
    dry_run: bool = False


class ImportFailed(ValidationFailed):
    """The file has bad rows; nothing was imported. ``errors`` lists every bad row."""

    code = "import_failed"

    def __init__(self, errors: list[RowError], *, source: str) -> None:
        shown = "; ".join(str(e) for e in errors[:MAX_REPORTED])
        more = f"; and {len(errors) - MAX_REPORTED} more" if len(errors) > MAX_REPORTED else ""
        rows = "1 bad row" if len(errors) == 1 else f"{len(errors)} bad rows"
        super().__init__(
            f"{source}: {rows}, nothing imported: {shown}{more}",
            details={
                "errors": [{"line": e.line, "code": e.code, "message": e.message} for e in errors]
            },
        )
        self.errors = errors


def _date(value: str, *, line: int, column: str) -> dt.date | None:
    if not value.strip():
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise ImportFailed(
            [RowError(line, "invalid_date", f"{column} {value!r} is not a date (YYYY-MM-DD)")],
            source="",
        ) from None


def organisations_csv_parse(text: str, *, source: str = "file") -> list[OrganisationRow]:
    """Parse the CSV (header row first; see docs/accounts.md for the columns).

    Refuses with ``ImportFailed`` listing every row whose shape is wrong.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    if not header:
        raise ImportFailed(
            [RowError(1, "empty_file", "the file is empty (expected a header row)")], source=source
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        allowed = ", ".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        raise ImportFailed(
            [RowError(1, "invalid_header", f"{'; '.join(parts)} (columns: {allowed})")],
            source=source,
        )
    reader.fieldnames = header
    rows: list[OrganisationRow] = []
    errors: list[RowError] = []
    line = reader.line_num + 1
    for raw in reader:
        start = line
        line = reader.line_num + 1
        if None in raw:
            errors.append(RowError(start, "invalid_row", "more fields than columns"))
            continue
        values = {k: (v or "").strip() for k, v in raw.items()}
        if not any(values.values()):
            continue
        try:
            starts_on = _date(values.get("starts_on", ""), line=start, column="starts_on")
            ends_on = _date(values.get("ends_on", ""), line=start, column="ends_on")
        except ImportFailed as exc:
            errors.extend(exc.errors)
            continue
        plan = values.get("plan", "")
        if bool(plan) != bool(starts_on):
            errors.append(
                RowError(
                    start,
                    "incomplete_subscription",
                    "plan and starts_on go together (ends_on is optional)",
                )
            )
            continue
        rows.append(
            OrganisationRow(
                line=start,
                name=values["name"],
                domains=split_list(values["domains"]),
                slug=values.get("slug", ""),
                time_zone=values.get("time_zone", "") or "UTC",
                notes=values.get("notes", ""),
                plan=plan,
                starts_on=starts_on,
                ends_on=ends_on,
            )
        )
    if errors:
        raise ImportFailed(errors, source=source)
    if not rows:
        raise ImportFailed([RowError(2, "no_rows", "no organisations in the file")], source=source)
    return rows


class _Rollback(Exception):
    pass


def organisations_import(
    *,
    rows: list[OrganisationRow],
    actor: Actor,
    source: str = "file",
    dry_run: bool = False,
    progress: Callable[[int, int, OrganisationRow, str], None] | None = None,
    policy: Policy | None = None,
) -> ImportResult:
    """Create every organisation (and subscription) in ``rows`` or none of them.

    Every row is tried, so the refusal lists all bad rows at once with their line numbers;
    then the whole transaction is rolled back. ``dry_run`` checks and rolls back too.
    """
    result = ImportResult(dry_run=dry_run)
    errors: list[RowError] = []
    try:
        with transaction.atomic():
            for n, row in enumerate(rows, start=1):
                try:
                    with transaction.atomic():
                        organisation = organisation_create(
                            name=row.name,
                            domains=row.domains,
                            time_zone=row.time_zone,
                            notes=row.notes,
                            slug=row.slug,
                            actor=actor,
                        )
                        note = "ok"
                        if row.plan and row.starts_on is not None:
                            sub = subscription_add(
                                organisation=organisation,
                                plan_id=row.plan,
                                starts_on=row.starts_on,
                                ends_on=row.ends_on,
                                actor=actor,
                                policy=policy,
                                notes=f"imported from {source}",
                            )
                            result.subscriptions += 1
                            note = f"ok, {sub.plan_id} {sub.starts_on}..{sub.ends_on}"
                    result.created.append(organisation.name)
                except DeskError as exc:
                    errors.append(RowError(row.line, exc.code, exc.message))
                    note = f"refused: {exc.message}"
                if progress is not None:
                    progress(n, len(rows), row, note)
            if errors:
                raise ImportFailed(errors, source=source)
            if dry_run:
                raise _Rollback
    except _Rollback:
        pass
    return result
