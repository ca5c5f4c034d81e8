"""What people call the standard fields of people, companies and deals, in the reader's language.

One source for every screen that names a field (entry rules, the merge table, the audit): the
filter language's labels, then the few links the filter language does not offer (a deal's person
and company), then the model's verbose name. Never the field's internal name when a label exists.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _

from vinculo.core.filters import filter_object

MODELS = {"person": "contacts.Person", "company": "contacts.Company", "deal": "sales.Deal"}


def _links() -> dict[str, str]:
    return {"person": _("Person"), "company": _("Company"), "owner": _("Owner")}


def field_label(object_type: str, name: str) -> str:
    """The label of standard field ``name`` (``owner``, ``owner_id``, ``lifecycle_stage``…) of
    ``object_type`` in the active language; ``name`` itself when nothing names it."""
    bare = name.removesuffix("_id")
    try:
        labels = {f.name: f.label for f in filter_object(object_type).fields}
    except LookupError:
        labels = {}
    if bare in labels:
        return str(labels[bare])
    if bare in _links():
        return _links()[bare]
    try:
        field = apps.get_model(MODELS[object_type])._meta.get_field(bare)
    except (KeyError, FieldDoesNotExist):
        return name
    text = str(getattr(field, "verbose_name", name))
    return text[:1].upper() + text[1:]


def field_noun(object_type: str, name: str) -> str:
    """The field as a noun inside a sentence ("already has this email"): the model's own
    translated verbose name, else the label in lower case (never the internal name)."""
    bare = name.removesuffix("_id")
    try:
        field = apps.get_model(MODELS[object_type])._meta.get_field(bare)
    except (KeyError, FieldDoesNotExist):
        field = None
    verbose = getattr(field, "verbose_name", None)
    if verbose is not None and verbose != bare.replace("_", " "):
        return str(verbose)
    return field_label(object_type, name).lower()
