"""The release catalogue: everyone reads it (with today's support status); administrators edit."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from sladesk.accounts.access import Can, require, require_scope
from sladesk.accounts.models import Release
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.releases import support_status
from sladesk.accounts.selectors import release_catalogue, release_list
from sladesk.accounts.services import release_remove, release_save
from sladesk.accounts.services.releases import release_spec
from sladesk.api.auth import actor, principal, token_auth
from sladesk.api.schemas import ERRORS, InputSchema
from sladesk.core import time
from sladesk.core.exceptions import NotFound

router = Router(tags=["releases"], auth=token_auth)


class ReleaseOut(Schema):
    version: str
    released_on: dt.date
    extended_support: bool
    support_ends: dt.date | None
    notes: str
    supported_today: bool | None
    support_code: str


class ReleaseListOut(Schema):
    rule: str
    day: dt.date
    items: list[ReleaseOut]


class ReleaseIn(InputSchema):
    released_on: dt.date
    extended_support: bool = False
    support_ends: dt.date | None = None
    notes: str = ""


def _outs(releases: list[Release]) -> tuple[str, dt.date, list[ReleaseOut]]:
    policy = current_policy()
    day = desk_date(at=time.now(), policy=policy)
    catalogue = release_catalogue()
    items = []
    for release in releases:
        status = support_status(
            version_text=release.version,
            catalogue=catalogue,
            rule=policy.releases.rule,
            extended_support_until_end=policy.releases.extended_support_until_end,
            on=day,
        )
        items.append(
            ReleaseOut(
                version=release.version,
                released_on=release.released_on,
                extended_support=release.extended_support,
                support_ends=release.support_ends,
                notes=release.notes,
                supported_today=status.supported,
                support_code=status.code,
            )
        )
    return policy.releases.rule, day, items


@router.get("/releases", response={200: ReleaseListOut, **ERRORS})
def list_releases(request: HttpRequest) -> ReleaseListOut:
    """List the catalogue, newest first, with whether each release is supported today."""
    rule, day, items = _outs(list(release_list()))
    return ReleaseListOut(rule=rule, day=day, items=items)


@router.get("/releases/{version}", response={200: ReleaseOut, **ERRORS})
def get_release(request: HttpRequest, version: str) -> ReleaseOut:
    """Show one release of the catalogue."""
    release = Release.objects.filter(version=version.removeprefix("v")).first()
    if release is None:
        raise NotFound(f"no release {version!r} in the catalogue", code="release_not_found")
    return _outs([release])[2][0]


@router.put("/releases/{version}", response={200: ReleaseOut, **ERRORS})
def put_release(request: HttpRequest, version: str, payload: ReleaseIn) -> ReleaseOut:
    """Add or change one release (administrators)."""
    who = principal(request)
    require(who, Can.WRITE_RELEASES)
    require_scope(who, "write")
    spec = release_spec({"version": version, **payload.dict()}, where="release")
    return _outs([release_save(spec=spec, actor=actor(request))])[2][0]


@router.delete("/releases/{version}", response={204: None, **ERRORS})
def delete_release(request: HttpRequest, version: str) -> Status[None]:
    """Remove one release from the catalogue (administrators)."""
    who = principal(request)
    require(who, Can.WRITE_RELEASES)
    require_scope(who, "write")
    release_remove(version=version, actor=actor(request))
    return Status(204, None)
