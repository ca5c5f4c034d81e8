"""Warn before saving a person whose email, phone or CPF (a company whose CNPJ) is in the
workspace already, as an import does: an htmx check as the user leaves the field, and a
confirmation step on submit ("Save anyway") where the rules allow a duplicate. A CPF, a CNPJ
and any field an entry rule makes unique are refused by the services as before; the warning
then only adds the link to the record that has the value."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors
from vinculo.contacts.models import Person
from vinculo.quality.models import RuleKind
from vinculo.quality.selectors.rules import entry_rules
from vinculo.web.ui import actor, workspace_view

CHECKED_FIELDS = {"person": ("email", "phone", "mobile_phone", "cpf"), "company": ("cnpj",)}
ALWAYS_UNIQUE = {"person": {"cpf"}, "company": {"cnpj"}}
LABELS = {
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "mobile_phone": gettext_lazy("Mobile phone"),
    "cpf": "CPF",
    "cnpj": "CNPJ",
}
CONFIRM = "confirm_duplicates"


def duplicate_warning(request: HttpRequest, object_type: str, data: dict[str, Any]) -> Any:
    """What the form shows about records that already have the typed values (None when none):
    each with its link and the fields it shares, and whether saving is refused anyway
    (``blocking``: a CPF, CNPJ or a field an entry rule makes unique)."""
    a = actor(request)
    matches = selectors.existing_matches(a, object_type, data)
    if not matches:
        return None
    unique = ALWAYS_UNIQUE[object_type] | set(
        entry_rules(a, object_type=object_type)
        .filter(kind=RuleKind.UNIQUE, is_active=True)
        .values_list("field", flat=True)
    )
    rows = []
    for match in matches:
        record = match.record
        person = isinstance(record, Person)
        rows.append(
            {
                "label": record.full_name if person else record.name,  # type: ignore[union-attr]
                "url": reverse(
                    "contacts:person" if person else "contacts:company", args=[record.pk]
                ),
                "fields": ", ".join(str(LABELS[name]) for name in match.fields),
            }
        )
    return {
        "object_type": object_type,
        "matches": rows,
        "blocking": any(name in unique for m in matches for name in m.fields),
    }


def needs_confirmation(request: HttpRequest, warning: Any) -> bool:
    """True when the submitted form should stop at the warning: duplicates the rules allow,
    and the user has not pressed "Save anyway" yet."""
    return bool(warning) and not warning["blocking"] and not request.POST.get(CONFIRM)


def confirm_context(request: HttpRequest, warning: Any) -> dict[str, Any]:
    """The form's context for the warning: the block, and "Save anyway" when it applies."""
    return {"duplicates": warning, "confirm_duplicates": needs_confirmation(request, warning)}


@workspace_view
@require_POST
def check(request: HttpRequest, object_type: str) -> HttpResponse:
    """The form's warning block for what is typed so far (htmx, as the user leaves a field)."""
    data = {name: request.POST.get(name, "") for name in CHECKED_FIELDS[object_type]}
    return render(
        request,
        "contacts/_duplicate_warning.html",
        {"duplicates": duplicate_warning(request, object_type, data)},
    )
