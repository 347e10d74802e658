"""The Django admin for the accounts app: every save goes through the services.

Forms run the services' own checks (``*_check``) so refusals show as form errors, and
``save_model`` calls the service, so the admin cannot do what the CLI or the API may not.
Permissions follow the agent roles (``sladesk.accounts.access``), not Django's model
permissions. Deleting is replaced by the domain's own verbs (remove, retire, revoke).
"""

from __future__ import annotations

from dataclasses import asdict
from dataclasses import fields as dataclass_fields
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.text import slugify

from sladesk.accounts.access import Can, Principal, principal_for
from sladesk.accounts.actor import Actor
from sladesk.accounts.models import (
    Agent,
    ApiToken,
    AuditLog,
    Contact,
    Environment,
    Organisation,
    Release,
    SignInLink,
    Subscription,
    Team,
)
from sladesk.accounts.policy import current_policy, desk_date
from sladesk.accounts.rules import split_list
from sladesk.accounts.selectors import organisation_domains
from sladesk.accounts.services import (
    EnvironmentInput,
    agent_add,
    agent_check,
    agent_update,
    api_token_create,
    api_token_revoke,
    contact_add,
    contact_remove,
    contact_update,
    environment_add,
    environment_retire,
    environment_update,
    organisation_create,
    organisation_update,
    release_remove,
    release_save,
    subscription_add,
    subscription_cancel,
    subscription_renew,
    team_create,
    team_update,
)
from sladesk.accounts.services.contacts import contact_check
from sladesk.accounts.services.environments import environment_check, environment_input
from sladesk.accounts.services.organisations import organisation_check
from sladesk.accounts.services.releases import release_spec
from sladesk.accounts.services.subscriptions import subscription_check
from sladesk.accounts.services.tokens import api_token_check
from sladesk.core import time
from sladesk.core.exceptions import DeskError

# Which form field a refusal code belongs to (others become form-wide errors).
FIELD_OF_CODE = {
    "name_required": "name",
    "organisation_name_taken": "name",
    "organisation_slug_taken": "slug",
    "invalid_slug": "slug",
    "invalid_domain": "domains",
    "public_mail_domain": "domains",
    "domain_required": "domains",
    "domain_taken": "domains",
    "invalid_time_zone": "time_zone",
    "invalid_email": "email",
    "contact_exists": "email",
    "email_is_agent": "email",
    "email_is_contact": "email",
    "agent_exists": "email",
    "named_contact_domain": "email",
    "contact_domain": "email",
    "named_contact_shared_address": "email",
    "shared_address": "email",
    "named_contact_limit": "named",
    "environment_name_taken": "name",
    "invalid_version": "version",
    "invalid_cluster_size": "cluster_size",
    "invalid_user_count": "user_count",
    "non_production_limit": "is_production",
    "unknown_plan": "plan_id",
    "invalid_dates": "ends_on",
    "subscription_overlap": "starts_on",
    "unknown_role": "role",
    "weak_password": "password",
}


def as_validation_error(exc: DeskError) -> ValidationError:
    """Return a form error for a refusal, on its field when the code names one."""
    message = f"{exc.message} [{exc.code}]"
    field = FIELD_OF_CODE.get(exc.code)
    return ValidationError({field: message} if field else message, code=exc.code)


def adopt(obj: Model, saved: Model) -> None:
    """Make the admin's in-memory ``obj`` the row the service saved."""
    obj.__dict__.update({k: v for k, v in saved.__dict__.items() if k != "_state"})
    obj._state.adding = False
    obj._state.db = saved._state.db


def admin_actor(request: HttpRequest) -> Actor:
    return Actor.for_user(request.user, via="admin")  # type: ignore[arg-type]


def _principal(request: HttpRequest) -> Principal | None:
    cached = getattr(request, "_sladesk_principal", False)
    if cached is False:
        cached = principal_for(request.user)
        request._sladesk_principal = cached  # type: ignore[attr-defined]
    return cached  # type: ignore[return-value]


def _today() -> Any:
    return desk_date(at=time.now(), policy=current_policy())


class DeskAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Role-based permissions: agents read, ``write_permission`` writes, nobody deletes."""

    write_permission: Can | None = None

    def _can(self, request: HttpRequest, action: Can | None) -> bool:
        who = _principal(request)
        return who is not None and action is not None and who.can(action)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._can(request, Can.READ_ALL)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can(request, Can.READ_ALL)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._can(request, self.write_permission)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can(request, self.write_permission)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        if not self._can(request, self.write_permission):
            return {}
        return actions

    def run_each(self, request: HttpRequest, queryset: QuerySet[Any], fn: Any, done: str) -> None:
        """Call ``fn(obj)`` for each selected row; report refusals one by one."""
        count = 0
        for obj in queryset:
            try:
                fn(obj)
                count += 1
            except DeskError as exc:
                self.message_user(request, f"{obj}: {exc.message} [{exc.code}]", messages.ERROR)
        if count:
            self.message_user(request, f"{done}: {count}.", messages.SUCCESS)


class ReadOnlyInline(admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Organisations -----------------------------------------------------------------------


class ServiceCheckedForm(forms.ModelForm):  # type: ignore[type-arg]
    """A model form validated by the service's own check: its refusal is the form's error.

    Subclasses implement ``service_check(data)`` (raise the service's ``DeskError``);
    ``check_new_only`` skips it when editing an existing row.
    """

    check_new_only = False

    def service_check(self, data: dict[str, Any]) -> None:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors or (self.check_new_only and self.instance.pk):
            return data
        try:
            self.service_check(data)
        except DeskError as exc:
            raise as_validation_error(exc) from None
        return data


class OrganisationForm(ServiceCheckedForm):
    domains = forms.CharField(help_text="Company e-mail domains, separated by commas or spaces.")

    class Meta:
        model = Organisation
        fields = ["name", "slug", "domains", "time_zone", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["domains"].initial = ", ".join(organisation_domains(self.instance))
        if "slug" in self.fields:
            self.fields["slug"].required = False

    def service_check(self, data: dict[str, Any]) -> None:
        organisation_check(
            name=data.get("name", ""),
            domains=split_list(data.get("domains", "")),
            time_zone=data.get("time_zone", "UTC"),
            notes=data.get("notes", ""),
            slug=data.get("slug", "") or (self.instance.slug if self.instance.pk else ""),
            organisation=self.instance if self.instance.pk else None,
        )

    def validate_unique(self) -> None:
        """Leave uniqueness to ``organisation_check`` (one message, with its code)."""


class ContactInline(ReadOnlyInline):
    model = Contact
    fields = ["name", "email", "named", "removed_at"]
    readonly_fields = ["name", "email", "named", "removed_at"]


class EnvironmentInline(ReadOnlyInline):
    model = Environment
    fields = ["name", "is_production", "version", "deployment_type", "retired_at"]
    readonly_fields = ["name", "is_production", "version", "deployment_type", "retired_at"]


class SubscriptionInline(ReadOnlyInline):
    model = Subscription
    fields = ["plan_id", "starts_on", "ends_on", "status", "cancelled_on"]
    readonly_fields = ["plan_id", "starts_on", "ends_on", "status", "cancelled_on"]


@admin.register(Organisation)
class OrganisationAdmin(DeskAdmin):
    form = OrganisationForm
    write_permission = Can.WRITE_ORGANISATIONS
    list_display = ["name", "slug", "domain_list", "time_zone", "created_at"]
    search_fields = ["name", "slug", "domains__domain"]
    inlines = [SubscriptionInline, ContactInline, EnvironmentInline]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Organisation]:
        return super().get_queryset(request).prefetch_related("domains")

    @admin.display(description="domains")
    def domain_list(self, obj: Organisation) -> str:
        return ", ".join(sorted(d.domain for d in obj.domains.all()))

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["slug"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Organisation, form: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        data = form.cleaned_data
        domains = split_list(data["domains"])
        if change:
            saved = organisation_update(
                organisation=obj,
                actor=admin_actor(request),
                name=data["name"],
                domains=domains,
                time_zone=data["time_zone"],
                notes=data["notes"],
            )
        else:
            saved = organisation_create(
                name=data["name"],
                domains=domains,
                time_zone=data["time_zone"],
                notes=data["notes"],
                slug=data.get("slug", ""),
                actor=admin_actor(request),
            )
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        """Inlines are read-only; domains were saved by the service."""


# Subscriptions -----------------------------------------------------------------------


class SubscriptionForm(ServiceCheckedForm):
    plan_id = forms.ChoiceField(label="plan")

    class Meta:
        model = Subscription
        fields = ["organisation", "plan_id", "starts_on", "ends_on", "notes"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "plan_id" in self.fields:
            plans = current_policy().plans.values()
            self.fields["plan_id"].choices = [(p.id, f"{p.name} ({p.id})") for p in plans]  # type: ignore[attr-defined]
        if "ends_on" in self.fields:
            self.fields["ends_on"].required = False
            self.fields["ends_on"].help_text = "Last covered day; empty: one year."

    check_new_only = True

    def service_check(self, data: dict[str, Any]) -> None:
        starts_on = data["starts_on"]
        ends_on = data.get("ends_on") or starts_on.replace(year=starts_on.year + 1)
        subscription_check(
            organisation=data["organisation"],
            plan_id=data["plan_id"],
            starts_on=starts_on,
            ends_on=ends_on,
            policy=current_policy(),
        )

    def _post_clean(self) -> None:
        """Model validation is the service's job (the form has no ``ends_on`` default)."""


@admin.register(Subscription)
class SubscriptionAdmin(DeskAdmin):
    form = SubscriptionForm
    write_permission = Can.WRITE_SUBSCRIPTIONS
    list_display = [
        "organisation",
        "plan_id",
        "starts_on",
        "ends_on",
        "status",
        "cancelled_on",
        "policy_version",
    ]
    list_filter = ["plan_id", "status"]
    search_fields = ["organisation__name"]
    actions = ["cancel_today", "renew_one_year"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        return [
            "organisation",
            "plan_id",
            "starts_on",
            "ends_on",
            "status",
            "cancelled_on",
            "cancel_reason",
            "policy_version",
            "renewal_of",
            "notes",
        ]

    def save_model(self, request: HttpRequest, obj: Subscription, form: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        if change:
            return  # every field is read-only: renew, cancel or change plan instead
        data = form.cleaned_data
        saved = subscription_add(
            organisation=data["organisation"],
            plan_id=data["plan_id"],
            starts_on=data["starts_on"],
            ends_on=data.get("ends_on"),
            notes=data.get("notes", ""),
            actor=admin_actor(request),
        )
        adopt(obj, saved)

    @admin.action(description="Cancel from today")
    def cancel_today(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        who = admin_actor(request)
        self.run_each(
            request,
            queryset,
            lambda s: subscription_cancel(
                subscription=s, actor=who, reason=f"cancelled in the admin by {who.label}"
            ),
            "Cancelled",
        )

    @admin.action(description="Renew for one more year")
    def renew_one_year(self, request: HttpRequest, queryset: QuerySet[Subscription]) -> None:
        who = admin_actor(request)
        self.run_each(
            request, queryset, lambda s: subscription_renew(subscription=s, actor=who), "Renewed"
        )


# Contacts ----------------------------------------------------------------------------

NAMED_CHOICES = [("", "as the plan says"), ("yes", "named contact"), ("no", "ordinary contact")]


class ContactForm(ServiceCheckedForm):
    named = forms.ChoiceField(choices=NAMED_CHOICES, required=False)

    class Meta:
        model = Contact
        fields = ["organisation", "email", "name", "phone", "role", "named"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["named"] = "yes" if self.instance.named else "no"

    def named_value(self) -> bool | None:
        value = self.cleaned_data.get("named") or ""
        return None if value == "" else value == "yes"

    def service_check(self, data: dict[str, Any]) -> None:
        organisation = self.instance.organisation if self.instance.pk else data["organisation"]
        contact_check(
            organisation=organisation,
            email=data["email"],
            named=self.named_value(),
            policy=current_policy(),
            day=_today(),
            contact=self.instance if self.instance.pk else None,
        )

    def _post_clean(self) -> None:
        """Model validation is the service's job (the user is made by ``contact_add``)."""


@admin.register(Contact)
class ContactAdmin(DeskAdmin):
    form = ContactForm
    write_permission = Can.WRITE_CONTACTS
    list_display = ["name", "email", "organisation", "named", "added_at", "removed_at"]
    list_filter = ["named", ("removed_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "email", "organisation__name"]
    actions = ["remove_contacts"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        if obj is None:
            return []
        base = ["organisation", "added_at", "removed_at", "removal_reason", "replaced_by"]
        if obj.removed_at is not None:
            return [*base, "email", "name", "phone", "role", "named"]
        return base

    def save_model(self, request: HttpRequest, obj: Contact, form: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        data = form.cleaned_data
        if change:
            if obj.removed_at is not None:
                return
            saved = contact_update(
                contact=obj,
                actor=admin_actor(request),
                email=data["email"],
                name=data["name"],
                phone=data["phone"],
                role=data["role"],
                named=form.named_value(),
            )
        else:
            saved = contact_add(
                organisation=data["organisation"],
                email=data["email"],
                name=data["name"],
                phone=data["phone"],
                role=data["role"],
                named=form.named_value(),
                actor=admin_actor(request),
            )
        adopt(obj, saved)

    @admin.action(description="Remove selected contacts")
    def remove_contacts(self, request: HttpRequest, queryset: QuerySet[Contact]) -> None:
        who = admin_actor(request)
        self.run_each(
            request,
            queryset,
            lambda c: contact_remove(
                contact=c, actor=who, reason=f"removed in the admin by {who.label}"
            ),
            "Removed",
        )


# Environments ------------------------------------------------------------------------


class EnvironmentForm(ServiceCheckedForm):
    class Meta:
        model = Environment
        fields = [
            "organisation",
            "name",
            "is_production",
            "version",
            "edition",
            "database_type",
            "database_version",
            "os",
            "deployment_type",
            "cluster_size",
            "user_count",
            "notes",
        ]

    def environment_data(self) -> EnvironmentInput:
        data = self.cleaned_data
        return EnvironmentInput(
            **{f.name: data[f.name] for f in dataclass_fields(EnvironmentInput)}
        )

    def service_check(self, data: dict[str, Any]) -> None:
        organisation = self.instance.organisation if self.instance.pk else data["organisation"]
        environment_check(
            organisation=organisation,
            data=self.environment_data(),
            policy=current_policy(),
            day=_today(),
            environment=self.instance if self.instance.pk else None,
        )

    def validate_unique(self) -> None:
        """Leave uniqueness to ``environment_check``."""


@admin.register(Environment)
class EnvironmentAdmin(DeskAdmin):
    form = EnvironmentForm
    write_permission = Can.WRITE_ENVIRONMENTS
    list_display = [
        "name",
        "organisation",
        "is_production",
        "version",
        "deployment_type",
        "retired_at",
    ]
    list_filter = [
        "is_production",
        "deployment_type",
        "edition",
        ("retired_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "organisation__name", "version"]
    actions = ["retire_environments"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["organisation", "retired_at"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Environment, form: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        data = form.environment_data()
        if change:
            before = environment_input(Environment.objects.get(pk=obj.pk))
            changes = {
                k: getattr(data, k) for k in asdict(data) if getattr(before, k) != getattr(data, k)
            }
            saved = environment_update(environment=obj, actor=admin_actor(request), changes=changes)
        else:
            saved = environment_add(
                organisation=form.cleaned_data["organisation"],
                data=data,
                actor=admin_actor(request),
            )
        adopt(obj, saved)

    @admin.action(description="Retire selected environments")
    def retire_environments(self, request: HttpRequest, queryset: QuerySet[Environment]) -> None:
        who = admin_actor(request)
        self.run_each(
            request, queryset, lambda e: environment_retire(environment=e, actor=who), "Retired"
        )


# Releases ----------------------------------------------------------------------------


class ReleaseForm(ServiceCheckedForm):
    class Meta:
        model = Release
        fields = ["version", "released_on", "extended_support", "support_ends", "notes"]

    def service_check(self, data: dict[str, Any]) -> None:
        raw = {k: data.get(k) for k in ("released_on", "extended_support", "support_ends", "notes")}
        raw["version"] = self.instance.version if self.instance.pk else data.get("version")
        self.spec = release_spec(raw, where="release")

    def _post_clean(self) -> None:
        """``major``/``minor``/``patch`` are derived by the service."""


@admin.register(Release)
class ReleaseAdmin(DeskAdmin):
    form = ReleaseForm
    write_permission = Can.WRITE_RELEASES
    list_display = ["version", "released_on", "extended_support", "support_ends", "notes"]
    list_filter = ["extended_support"]
    actions = ["remove_releases"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["version"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Release, form: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        adopt(obj, release_save(spec=form.spec, actor=admin_actor(request)))

    @admin.action(description="Remove selected releases from the catalogue")
    def remove_releases(self, request: HttpRequest, queryset: QuerySet[Release]) -> None:
        who = admin_actor(request)
        self.run_each(
            request, queryset, lambda r: release_remove(version=r.version, actor=who), "Removed"
        )


# Agents and teams --------------------------------------------------------------------


class AgentForm(ServiceCheckedForm):
    email = forms.EmailField()
    password = forms.CharField(
        widget=forms.PasswordInput,
        required=False,
        help_text="Optional; the agent can also reset it.",
    )
    active = forms.BooleanField(required=False, initial=True, help_text="May sign in.")

    class Meta:
        model = Agent
        fields = ["email", "name", "role", "teams", "password", "active"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["email"].disabled = True
            self.initial["email"] = self.instance.user.email
            self.initial["active"] = self.instance.user.is_active
            del self.fields["password"]

    check_new_only = True

    def service_check(self, data: dict[str, Any]) -> None:
        agent_check(email=data["email"], role=data["role"])

    def _post_clean(self) -> None:
        """The user is made by ``agent_add``."""


@admin.register(Agent)
class AgentAdmin(DeskAdmin):
    form = AgentForm
    write_permission = Can.MANAGE_AGENTS
    list_display = ["name", "email", "role", "team_list", "is_active"]
    list_filter = ["role", "teams"]
    search_fields = ["name", "user__email"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Agent]:
        return super().get_queryset(request).select_related("user").prefetch_related("teams")

    @admin.display(description="e-mail")
    def email(self, obj: Agent) -> str:
        return obj.user.email

    @admin.display(description="teams")
    def team_list(self, obj: Agent) -> str:
        return ", ".join(t.slug for t in obj.teams.all())

    @admin.display(boolean=True, description="active")
    def is_active(self, obj: Agent) -> bool:
        return obj.user.is_active

    def save_model(self, request: HttpRequest, obj: Agent, form: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        data = form.cleaned_data
        teams = [t.slug for t in data.get("teams", [])]
        if change:
            saved = agent_update(
                agent=obj,
                actor=admin_actor(request),
                name=data["name"],
                role=data["role"],
                teams=teams,
                active=data["active"],
            )
        else:
            saved = agent_add(
                email=data["email"],
                name=data["name"],
                role=data["role"],
                teams=teams,
                password=data.get("password") or None,
                actor=admin_actor(request),
            )
        adopt(obj, saved)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        """Teams were set by the service."""


class TeamForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Team
        fields = ["slug", "name", "description"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.instance.pk and not self.errors:
            slug = slugify(data.get("slug") or data.get("name", ""))
            if Team.objects.filter(slug=slug).exists():
                raise ValidationError({"slug": f"a team {slug!r} already exists [team_exists]"})
        return data

    def _post_clean(self) -> None:
        """Uniqueness and names are checked by the service."""


@admin.register(Team)
class TeamAdmin(DeskAdmin):
    form = TeamForm
    write_permission = Can.MANAGE_AGENTS
    list_display = ["name", "slug", "description"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["slug"] if obj is not None else []

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        data = form.cleaned_data
        if change:
            saved = team_update(
                team=obj,
                actor=admin_actor(request),
                name=data["name"],
                description=data["description"],
            )
        else:
            saved = team_create(
                name=data["name"],
                slug=data.get("slug", ""),
                description=data["description"],
                actor=admin_actor(request),
            )
        adopt(obj, saved)


# Tokens, sign-in links and the audit log ---------------------------------------------


class ApiTokenForm(forms.ModelForm):  # type: ignore[type-arg]
    email = forms.EmailField(help_text="The agent or contact the token acts as.")
    scope_choices = forms.MultipleChoiceField(
        choices=ApiToken.Scope.choices,
        initial=["read"],
        widget=forms.CheckboxSelectMultiple,
        label="scopes",
    )

    class Meta:
        model = ApiToken
        fields = ["email", "name", "scope_choices", "expires_at"]

    def clean_email(self) -> Any:
        address = self.cleaned_data["email"].strip().lower()
        self.user = get_user_model().objects.filter(username=address).first()
        if self.user is None:
            raise ValidationError(f"no agent or contact {address} [user_not_found]")
        try:
            api_token_check(user=self.user)
        except DeskError as exc:
            raise ValidationError(f"{exc.message} [{exc.code}]") from None
        return address

    def _post_clean(self) -> None:
        """The token is made by ``api_token_create``."""


@admin.register(ApiToken)
class ApiTokenAdmin(DeskAdmin):
    form = ApiTokenForm
    write_permission = Can.ISSUE_TOKENS
    list_display = [
        "prefix",
        "user",
        "name",
        "scopes",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "user__username", "name"]
    actions = ["revoke_tokens"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:  # noqa: FBT001 (Django's signature)
        data = form.cleaned_data
        token, secret = api_token_create(
            user=form.user,
            name=data.get("name", ""),
            scopes=data["scope_choices"],
            expires_at=data.get("expires_at"),
            actor=admin_actor(request),
        )
        adopt(obj, token)
        self.message_user(
            request,
            f"Token for {token.user.get_username()}: {secret} (shown once: store it now)",
            messages.WARNING,
        )

    @admin.action(description="Revoke selected tokens")
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        who = admin_actor(request)
        self.run_each(request, queryset, lambda t: api_token_revoke(token=t, actor=who), "Revoked")


@admin.register(SignInLink)
class SignInLinkAdmin(DeskAdmin):
    list_display = ["user", "created_at", "expires_at", "used_at"]
    readonly_fields = ["user", "created_at", "expires_at", "used_at"]
    exclude = ["secret_hash"]

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can(request, Can.READ_AUDIT)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._can(request, Can.READ_ALL)


@admin.register(AuditLog)
class AuditLogAdmin(DeskAdmin):
    list_display = ["at", "actor_label", "via", "action", "summary"]
    list_filter = ["via", "action"]
    search_fields = ["summary", "actor_label", "object_repr"]
    date_hierarchy = "at"

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._can(request, Can.READ_AUDIT)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AuditLog._meta.fields]


# Users: only through agents and contacts ---------------------------------------------

User = get_user_model()


class GuardedUserAdmin(UserAdmin):  # type: ignore[type-arg]
    """Users are made by the agent and contact services; here they can only get a password."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in User._meta.fields if f.name != "password"] + [
            "groups",
            "user_permissions",
        ]


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, GuardedUserAdmin)
