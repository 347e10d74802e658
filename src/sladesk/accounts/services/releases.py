"""Load and edit the release catalogue (from a TOML or JSON data file)."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from dataclasses import asdict, dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from django.db import transaction

from sladesk.accounts.actor import Actor
from sladesk.accounts.models import Release
from sladesk.accounts.releases import parse_version
from sladesk.accounts.services.audit import audit_record, diff
from sladesk.core.exceptions import NotFound, ValidationFailed


@dataclass(frozen=True, slots=True)
class ReleaseSpec:
    """One release as written in a catalogue file."""

    version: str
    released_on: dt.date
    extended_support: bool = False
    support_ends: dt.date | None = None
    notes: str = ""


@dataclass(frozen=True, slots=True)
class LoadResult:
    """What ``release_catalogue_load`` did."""

    added: list[str]
    updated: list[str]
    unchanged: list[str]
    removed: list[str]

    def describe(self) -> str:
        """Return ``"3 added, 1 updated, 10 unchanged, 0 removed"``."""
        return (
            f"{len(self.added)} added, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.removed)} removed"
        )


def shipped_catalogue_path() -> Path:
    """Return the catalogue file that ships with sladesk."""
    return Path(str(resources.files("sladesk.accounts") / "data" / "releases.toml"))


def _date(value: Any, *, where: str, field: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValidationFailed(
        f"{where}: {field} must be a date (YYYY-MM-DD), not {value!r}", code="invalid_release_file"
    )


def release_spec(raw: Any, *, where: str) -> ReleaseSpec:
    """Return one validated ``ReleaseSpec`` from a mapping read from a file, form or API."""
    if not isinstance(raw, dict):
        raise ValidationFailed(f"{where}: expected a table of fields", code="invalid_release_file")
    unknown = set(raw) - {"version", "released_on", "extended_support", "support_ends", "notes"}
    if unknown:
        raise ValidationFailed(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}", code="invalid_release_file"
        )
    version_text = str(raw.get("version", "")).strip().removeprefix("v")
    version = parse_version(version_text)
    if version is None or str(version) != version_text:
        raise ValidationFailed(
            f"{where}: version {raw.get('version')!r} is not MAJOR.MINOR or MAJOR.MINOR.PATCH",
            code="invalid_release_file",
        )
    where = f"{where} ({version_text})"
    if "released_on" not in raw:
        raise ValidationFailed(f"{where}: released_on is required", code="invalid_release_file")
    released_on = _date(raw["released_on"], where=where, field="released_on")
    esr = raw.get("extended_support", False)
    if not isinstance(esr, bool):
        raise ValidationFailed(
            f"{where}: extended_support must be true or false", code="invalid_release_file"
        )
    ends = raw.get("support_ends")
    support_ends = None if ends in (None, "") else _date(ends, where=where, field="support_ends")
    if support_ends is not None and support_ends < released_on:
        raise ValidationFailed(
            f"{where}: support_ends {support_ends} is before released_on {released_on}",
            code="invalid_release_file",
        )
    if esr and support_ends is None:
        raise ValidationFailed(
            f"{where}: an extended-support release needs support_ends", code="invalid_release_file"
        )
    return ReleaseSpec(version_text, released_on, esr, support_ends, str(raw.get("notes", "")))


def release_file_parse(path: Path) -> list[ReleaseSpec]:
    """Read a catalogue file (``.toml`` with ``[[release]]`` tables, or ``.json``)."""
    name = path.name
    try:
        raw_bytes = path.read_bytes()
    except OSError as exc:
        raise ValidationFailed(
            f"{path}: {exc.strerror or exc}", code="invalid_release_file"
        ) from None
    try:
        if path.suffix.lower() == ".json":
            document = json.loads(raw_bytes.decode("utf-8"))
            items = document.get("releases") if isinstance(document, dict) else document
        else:
            document = tomllib.loads(raw_bytes.decode("utf-8"))
            items = document.get("release")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationFailed(
            f"{name}: not valid {path.suffix.lstrip('.') or 'TOML'}: {exc}",
            code="invalid_release_file",
        ) from None
    if not isinstance(items, list) or not items:
        raise ValidationFailed(
            f"{name}: no releases found (expected [[release]] tables, or a JSON list)",
            code="invalid_release_file",
        )
    specs = [
        release_spec(item, where=f"{name}: release {n}") for n, item in enumerate(items, start=1)
    ]
    seen: set[str] = set()
    for spec in specs:
        if spec.version in seen:
            raise ValidationFailed(
                f"{name}: {spec.version} is listed twice", code="invalid_release_file"
            )
        seen.add(spec.version)
    return specs


def _fields(spec: ReleaseSpec) -> dict[str, Any]:
    version = parse_version(spec.version)
    assert version is not None  # release_spec checked it
    return {
        "major": version.major,
        "minor": version.minor,
        "patch": version.patch,
        "released_on": spec.released_on,
        "extended_support": spec.extended_support,
        "support_ends": spec.support_ends,
        "notes": spec.notes,
    }


@transaction.atomic
def release_catalogue_load(
    *, specs: list[ReleaseSpec], actor: Actor, prune: bool = False, source: str = ""
) -> LoadResult:
    """Add or update every release in ``specs``; with ``prune``, remove the ones not listed."""
    existing = {r.version: r for r in Release.objects.select_for_update()}
    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    for spec in specs:
        fields = _fields(spec)
        release = existing.get(spec.version)
        if release is None:
            Release.objects.create(version=spec.version, **fields)
            added.append(spec.version)
            continue
        changed = diff({k: getattr(release, k) for k in fields}, fields)
        if not changed:
            unchanged.append(spec.version)
            continue
        for key in changed:
            setattr(release, key, fields[key])
        release.save(update_fields=list(changed))
        updated.append(spec.version)
    listed = {s.version for s in specs}
    removed = sorted(v for v in existing if v not in listed) if prune else []
    if removed:
        Release.objects.filter(version__in=removed).delete()
    result = LoadResult(added, updated, unchanged, removed)
    if added or updated or removed:
        audit_record(
            actor=actor,
            action="release.load",
            object_type="release_catalogue",
            summary=f"loaded the release catalogue{f' from {source}' if source else ''}: {result.describe()}",
            changes=asdict(result),
        )
    return result


@transaction.atomic
def release_save(*, spec: ReleaseSpec, actor: Actor) -> Release:
    """Add or change one release (what the admin and the API use)."""
    fields = _fields(spec)
    release = Release.objects.select_for_update().filter(version=spec.version).first()
    if release is None:
        release = Release.objects.create(version=spec.version, **fields)
        audit_record(
            actor=actor,
            action="release.add",
            obj=release,
            summary=f"added release {release}",
            changes=fields,
        )
        return release
    changed = diff({k: getattr(release, k) for k in fields}, fields)
    if changed:
        for key in changed:
            setattr(release, key, fields[key])
        release.save(update_fields=list(changed))
        audit_record(
            actor=actor,
            action="release.update",
            obj=release,
            summary=f"changed release {release}",
            changes=changed,
        )
    return release


@transaction.atomic
def release_remove(*, version: str, actor: Actor) -> None:
    """Remove one release from the catalogue."""
    release = (
        Release.objects.select_for_update()
        .filter(version=version.strip().removeprefix("v"))
        .first()
    )
    if release is None:
        raise NotFound(f"no release {version!r} in the catalogue", code="release_not_found")
    audit_record(
        actor=actor, action="release.remove", obj=release, summary=f"removed release {release}"
    )
    release.delete()
