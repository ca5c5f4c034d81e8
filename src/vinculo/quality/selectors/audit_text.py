"""The audit report's words, written when it is read, in the reader's language.

A stored run keeps codes and figures only (a finding's ``key``/``kind``, a completeness row's
``field``, the stale period): the audit may run in the background as the system, in whatever
language that job had. Runs stored before this module still carry a ``label``; it is ignored
when the finding's code is known (so they are translated too) and shown otherwise.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from vinculo.contacts.selectors import custom_fields
from vinculo.core.actor import Actor
from vinculo.core.field_labels import field_label


def field_labels(actor: Actor, object_type: str) -> dict[str, str]:
    """``field name → label`` of an object's custom fields (archived ones too: an old run may
    name them); standard fields are labelled by :func:`field_label`."""
    definitions = custom_fields(actor, object_type=object_type, include_archived=True)
    return {f"custom_fields.{d.key}": d.label for d in definitions}


def finding_label(
    finding: dict[str, Any], object_type: str, months: int, labels: dict[str, str]
) -> str:
    """The sentence of one finding (``invalid.cpf`` → "Invalid CPF")."""
    kind = finding.get("kind", "")
    field = str(finding.get("key", "")).partition(".")[2]
    name = labels.get(field) or field_label(object_type, field)
    if kind == "invalid":
        return _("Invalid %(field)s") % {"field": name}
    if kind == "nonconforming":
        return _("%(field)s does not fit its field's rules") % {"field": name}
    if kind == "duplicates":
        return _("Records sharing the same %(field)s") % {"field": name}
    if kind == "no_owner":
        return _("Without owner")
    if kind == "stale":
        if object_type == "deal":
            return _("Open and in the same stage for %(months)s months") % {"months": months}
        return _("No activity in %(months)s months") % {"months": months}
    return str(finding.get("label") or finding.get("key", ""))


def localised_object(
    actor: Actor, object_type: str, data: dict[str, Any], months: int
) -> dict[str, Any]:
    """One object's part of a run with every label in the active language."""
    labels = field_labels(actor, object_type)
    completeness = [
        {**row, "label": labels.get(row["field"]) or field_label(object_type, row["field"])}
        for row in data.get("completeness", [])
    ]
    findings = [
        {**f, "label": finding_label(f, object_type, months, labels)}
        for f in data.get("findings", [])
    ]
    return {**data, "completeness": completeness, "findings": findings}


def localised_findings(actor: Actor, findings: dict[str, Any] | None) -> dict[str, Any]:
    """A run's ``findings`` with the labels written in the active language."""
    findings = dict(findings or {})
    months = int(findings.get("stale_months") or 6)
    objects = findings.get("objects") or {}
    if objects:
        findings["objects"] = {
            name: localised_object(actor, name, data, months) for name, data in objects.items()
        }
    return findings
