"""Settings, custom fields: the workspace's own fields on people, companies and deals
(``web:settings:custom_field…``)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors as contact_selectors
from vinculo.contacts import services as contact_services
from vinculo.contacts.custom_fields import IDENTIFIER_OBJECTS
from vinculo.contacts.models import CustomObject, FieldType
from vinculo.core.actor import Actor
from vinculo.core.errors import NotFound, ServiceError
from vinculo.core.permissions import can
from vinculo.core.settings_pages import form_errors, page
from vinculo.core.ui import actor, workspace_view

CHOICE_TYPES = {FieldType.CHOICE, FieldType.MULTI_CHOICE}


def _choices_from_text(text: str) -> list[Any]:
    """One choice per line; ``value | label`` when the stored value differs from the label."""
    choices: list[Any] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        value, sep, label = line.partition("|")
        if sep:
            choices.append({"value": value.strip(), "label": label.strip() or value.strip()})
        else:
            choices.append(line)
    return choices


def _choices_as_text(choices: list[dict[str, str]]) -> str:
    return "\n".join(
        c["value"] if c.get("label", c["value"]) == c["value"] else f"{c['value']} | {c['label']}"
        for c in choices or []
    )


def _object_type(request: HttpRequest) -> str:
    value = request.GET.get("object") or request.POST.get("object_type") or CustomObject.PERSON
    return value if value in CustomObject.values else CustomObject.PERSON


def _custom_fields_page(request: HttpRequest, *, status: int = 200, **extra: Any) -> HttpResponse:
    a = actor(request)
    object_type = extra.pop("object_type", None) or _object_type(request)
    return page(
        request,
        "contacts/settings/custom_fields.html",
        "custom_fields",
        {
            "object_type": object_type,
            "objects": CustomObject.choices,
            "definitions": contact_selectors.custom_fields(
                a, object_type=object_type, include_archived=True
            ),
            "field_types": FieldType.choices,
            "can_change": can(a, "settings.manage"),
            "errors": {},
            "data": {},
            **extra,
        },
        status=status,
    )


@workspace_view
def custom_fields(request: HttpRequest) -> HttpResponse:
    return _custom_fields_page(request)


@workspace_view
@require_POST
def custom_field_create(request: HttpRequest) -> HttpResponse:
    object_type = request.POST.get("object_type", "")
    data: dict[str, Any] = {
        "object_type": object_type,
        "label": request.POST.get("label", ""),
        "key": request.POST.get("key", ""),
        "field_type": request.POST.get("field_type", ""),
        "required": "required" in request.POST,
        "unique": "unique" in request.POST,
        "identifier": "identifier" in request.POST,
        "help_text": request.POST.get("help_text", ""),
    }
    choices_text = request.POST.get("choices", "")
    if data["field_type"] in CHOICE_TYPES:
        data["choices"] = _choices_from_text(choices_text)
    try:
        definition = contact_services.create_custom_field(actor=actor(request), data=data)
    except ServiceError as exc:
        return _custom_fields_page(
            request,
            status=422,
            errors=form_errors(exc),
            data={**data, "choices": choices_text},
            object_type=object_type if object_type in CustomObject.values else None,
        )
    messages.success(request, _("Field %(label)s created.") % {"label": definition.label})
    return redirect(reverse("web:settings:custom_fields") + f"?object={definition.object_type}")


def _get_definition(a: Actor, field_id: int) -> Any:
    definition = (
        contact_selectors.custom_fields(a, include_archived=True).filter(pk=field_id).first()
    )
    if definition is None:
        raise NotFound(_("No custom field with id %(id)s.") % {"id": field_id})
    return definition


@workspace_view
def custom_field_edit(request: HttpRequest, field_id: int) -> HttpResponse:
    """Relabel, re-choice, require, mark as identifier or archive a field; says how many stored
    values stop fitting."""
    a = actor(request)
    definition = _get_definition(a, field_id)
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {
        "label": definition.label,
        "help_text": definition.help_text,
        "required": definition.required,
        "identifier": definition.identifier,
        "archived": definition.archived_at is not None,
        "choices": _choices_as_text(definition.choices),
    }
    if request.method == "POST":
        data = {
            "label": request.POST.get("label", ""),
            "help_text": request.POST.get("help_text", ""),
            "required": "required" in request.POST,
            "identifier": "identifier" in request.POST,
            "archived": "archived" in request.POST,
        }
        choices_text = request.POST.get("choices", "")
        payload = dict(data)
        if definition.field_type in CHOICE_TYPES:
            payload["choices"] = _choices_from_text(choices_text)
        try:
            change = contact_services.update_custom_field(actor=a, field_id=field_id, data=payload)
        except ServiceError as exc:
            errors = form_errors(exc)
            data["choices"] = choices_text
        else:
            messages.success(
                request, _("Field %(label)s saved.") % {"label": change.definition.label}
            )
            if change.nonconforming:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)s stored value no longer fits this field. It is kept as it is; "
                        "fix it when that record is next edited.",
                        "%(n)s stored values no longer fit this field. They are kept as they "
                        "are; fix each when its record is next edited.",
                        change.nonconforming,
                    )
                    % {"n": change.nonconforming},
                )
            return redirect(
                reverse("web:settings:custom_fields") + f"?object={definition.object_type}"
            )
    return page(
        request,
        "contacts/settings/custom_field_edit.html",
        "custom_fields",
        {
            "definition": definition,
            "is_choice": definition.field_type in CHOICE_TYPES,
            "can_identify": definition.object_type in IDENTIFIER_OBJECTS,
            "data": data,
            "errors": errors,
            "can_change": can(a, "settings.manage"),
        },
        status=422 if errors else 200,
    )
