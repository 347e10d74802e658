"""Forms of the web desk: they parse and keep what was typed; services decide."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest

from sladesk.core.exceptions import DeskError
from sladesk.kb.models import Article, Category
from sladesk.tickets.models import Category as TicketCategory
from sladesk.tickets.models import Status
from sladesk.tickets.uploads import oversized_refusal


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data: object, initial: object = None) -> list[object]:
        if not data:
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(d, initial) for d in items]


class NewTicketForm(forms.Form):
    subject = forms.CharField(max_length=300)
    environment = forms.CharField(required=False)
    severity = forms.CharField()
    category = forms.ChoiceField(
        choices=[("", "Choose a category…"), *TicketCategory.choices],
        error_messages={"required": "Choose a category."},
    )
    description = forms.CharField(widget=forms.Textarea)
    attachments = MultipleFileField(required=False)

    def environment_id(self) -> int | None:
        raw = (self.data.get("environment") or "").strip()
        return int(raw) if raw.isdigit() else None


class ReplyForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea)
    attachments = MultipleFileField(required=False)


class SeverityForm(forms.Form):
    severity = forms.CharField()
    reason = forms.CharField(widget=forms.Textarea, error_messages={"required": "give a reason"})


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    reason = forms.CharField(required=False)


class AssignForm(forms.Form):
    agent = forms.CharField(required=False)  # an agent id, or empty for nobody
    team = forms.CharField(required=False)  # a team slug, or empty to keep
    reason = forms.CharField(required=False)


class ArticleForm(forms.Form):
    title = forms.CharField(max_length=200)
    summary = forms.CharField(max_length=300, required=False)
    category = forms.ModelChoiceField(queryset=Category.objects.all(), required=False)
    visibility = forms.ChoiceField(choices=Article.Visibility.choices)
    body = forms.CharField(widget=forms.Textarea)


#: Error codes of the services -> the form field they belong to.
FIELD_OF_CODE = {
    "subject_required": "subject",
    "subject_too_long": "subject",
    "description_required": "description",
    "description_too_long": "description",
    "body_required": "body",
    "body_too_long": "body",
    "unknown_severity": "severity",
    "unknown_category": "category",
    "environment_other_organisation": "environment",
    "environment_retired": "environment",
    "unknown_environment": "environment",
    "attachment_too_large": "attachments",
    "reason_required": "reason",
    "non_production_locked": "severity",
    "severity_unchanged": "severity",
    "invalid_transition": "status",
    "status_unchanged": "status",
    "agent_not_in_team": "agent",
    "agent_inactive": "agent",
    "assignment_unchanged": "agent",
}


def attach_error(form: forms.Form, error: DeskError) -> None:
    """Put a service's refusal on the field it concerns (else on the form), keeping the input."""
    field = FIELD_OF_CODE.get(error.code)
    fields = error.details.get("fields") if isinstance(error.details, dict) else None
    if isinstance(fields, dict):
        for name, message in fields.items():
            form.add_error(name if name in form.fields else None, str(message))
        return
    form.add_error(field if field in form.fields else None, error.message)


def oversized_uploads_refused(form: forms.Form, request: HttpRequest) -> bool:
    """Put the refusal of files skipped for their size on the form; return whether any was.

    Call after ``is_valid()``: the other fields keep what was typed.
    """
    refusal = oversized_refusal(request)
    if refusal is None:
        return False
    attach_error(form, refusal)
    return True
