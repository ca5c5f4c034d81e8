"""Timeline parameters of the contacts services, worded when read (``core.timeline_wording``)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_noop

from vinculo.contacts.models import Channel, ConsentStatus
from vinculo.core import timeline_wording

# Changes that are not a model field with a translated name.
_NAMES = {"tags": gettext_noop("tags"), "companies": gettext_noop("companies")}


def changed_fields(model: Any, names: Iterable[str]) -> list[Any]:
    """The first six changed fields (sorted) as one parameter: each field's name in the
    reader's language; a custom field by its key."""
    parts: list[Any] = []
    for name in sorted(names)[:6]:
        if name in _NAMES:
            part: Any = {"t": _NAMES[name]}
        else:
            try:
                part = timeline_wording.label(model._meta.get_field(name).verbose_name)
            except FieldDoesNotExist:
                part = name
        parts += [", ", part] if parts else [part]
    return parts


def consent_labels(consent: dict[str, Any]) -> dict[str, Any]:
    """The channel and status of a consent change, worded when read."""
    return {
        "channel": timeline_wording.label(Channel(consent["channel"]).label),
        "status": timeline_wording.label(ConsentStatus(consent["status"]).label),
    }
