"""Warn before saving a person or company that may be in the workspace already: an htmx check
as the user leaves a field, and a confirmation step on submit ("Save anyway") where the rules
allow a duplicate.

Two kinds of match: records that have the very email, phone or CPF (CNPJ) typed, as an import
matches its rows; and records the workspace's duplicate matcher finds probably the same customer
(names, birth date, address, custom identifier fields), each with how likely and why. A CPF, a
CNPJ and any field an entry rule makes unique are refused by the services as before; the warning
then only adds the link to the record that has the value. Probable matches never block: they
only ask for the one-time confirmation.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors
from vinculo.contacts.models import Person
from vinculo.core import duplicate_finders, entry_rules
from vinculo.core.ui import actor, posted_tags_and_custom_fields, workspace_view

CHECKED_FIELDS = {"person": ("email", "phone", "mobile_phone", "cpf"), "company": ("cnpj",)}
_ADDRESS = ("street", "number", "complement", "district", "city", "state", "postal_code")
# What the matcher reads of a form (the fields it has of these).
MATCHED_FIELDS = {
    "person": ("first_name", "last_name", "birth_date", "email", "phone", "mobile_phone", "cpf",
               *_ADDRESS),
    "company": ("name", "legal_name", "cnpj", "email", "phone", "domain", *_ADDRESS),
}  # fmt: skip
# The inputs of the new-record forms whose change runs the check (custom identifiers too).
CHECK_TRIGGERS = {
    "person": frozenset(MATCHED_FIELDS["person"]) - {"complement", "district", "state"},
    "company": frozenset({"name", "legal_name", "cnpj", "email", "phone", "website", "city"}),
}
ALWAYS_UNIQUE = {"person": {"cpf"}, "company": {"cnpj"}}
LABELS = {
    "email": gettext_lazy("Email"),
    "phone": gettext_lazy("Phone"),
    "mobile_phone": gettext_lazy("Mobile phone"),
    "cpf": "CPF",
    "cnpj": "CNPJ",
}
CONFIRM = "confirm_duplicates"
PROBABLE_SHOWN = 5  # the most probable records the warning lists


def _record_url(record: Any) -> str:
    person = isinstance(record, Person)
    return reverse("contacts:person" if person else "contacts:company", args=[record.pk])


def _matcher_values(object_type: str, data: dict[str, Any]) -> dict:
    """The form's values the matcher reads: its fields, a company's domain from its website,
    and the custom fields as typed (the matcher compares the identifier ones in their stored
    form; a value that does not validate matches nothing)."""
    values = {
        name: data[name] for name in MATCHED_FIELDS[object_type] if data.get(name) not in (None, "")
    }
    website = str(data.get("website") or "").strip()
    if object_type == "company" and website and not values.get("domain"):
        host = urlparse(website if "://" in website else f"//{website}").hostname or ""
        values["domain"] = host.removeprefix("www.")
    values["custom_fields"] = data.get("custom_fields")
    return values


def duplicate_warning(
    request: HttpRequest, object_type: str, data: dict[str, Any], *, exclude_id: int | None = None
) -> Any:
    """What the form shows about records that may be the one typed (None when none): those
    that have a typed email, phone or CPF (CNPJ), each with its link and the fields it shares,
    and whether saving is refused anyway (``blocking``: a CPF, CNPJ or a field an entry rule
    makes unique); and those the matcher finds probably the same (``probable``), each with
    its probability and reasons. ``exclude_id``: the record being edited."""
    a = actor(request)
    matches = selectors.existing_matches(a, object_type, data, exclude_id=exclude_id)
    exact = {match.record.pk for match in matches}
    probable = [
        {
            "label": found["name"],
            "url": _record_url(found["record"]),
            "percent": round(found["probability"] * 100),
            "reasons": ", ".join(r["text"] for r in found["reasons"]),
        }
        for found in duplicate_finders.probable(
            a,
            object_type,
            _matcher_values(object_type, data),
            exclude_id=exclude_id,
            limit=PROBABLE_SHOWN + len(exact),
        )
        if found["id"] not in exact
    ][:PROBABLE_SHOWN]
    if not matches and not probable:
        return None
    unique = ALWAYS_UNIQUE[object_type] | entry_rules.unique_fields(a, object_type)
    rows = []
    for match in matches:
        record = match.record
        person = isinstance(record, Person)
        rows.append(
            {
                "label": record.full_name if person else record.name,  # type: ignore[union-attr]
                "url": _record_url(record),
                "fields": ", ".join(str(LABELS[name]) for name in match.fields),
            }
        )
    return {
        "object_type": object_type,
        "matches": rows,
        "probable": probable,
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
    names = {*CHECKED_FIELDS[object_type], *MATCHED_FIELDS[object_type], "website"}
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in names}
    data.update(posted_tags_and_custom_fields(request))
    return render(
        request,
        "contacts/_duplicate_warning.html",
        {"duplicates": duplicate_warning(request, object_type, data)},
    )
