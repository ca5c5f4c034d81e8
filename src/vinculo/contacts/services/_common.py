"""What several write modules of contacts share: a record locked for update, a CPF/CNPJ that
must stay unique among live records, a record's display name."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.translation import gettext as _

from vinculo.contacts.models import Company, Person
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, FieldError, NotFound


def get_for_update(
    model: Any, actor: Actor, pk: int, label: str, *, deleted: bool | None = None
) -> Any:
    """The workspace's record ``pk`` of ``model``, locked for the transaction; ``deleted``
    narrows to binned (True) or live (False) records. Raises :class:`NotFound` otherwise."""
    qs = model.objects.for_workspace(actor.workspace).select_for_update()
    if deleted is not None:
        qs = qs.filter(deleted_at__isnull=not deleted)
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise NotFound(_("No %(what)s with id %(id)s.") % {"what": label, "id": pk})
    return obj


def check_document_unique(
    model: type[Model], actor: Actor, field: str, value: str, exclude_pk: int | None = None
) -> None:
    """Refuse (:class:`Conflict`) a CPF/CNPJ ``value`` that another live record of the
    workspace holds."""
    if not value:
        return
    clash = model._default_manager.filter(
        workspace=actor.workspace, deleted_at__isnull=True, **{field: value}
    )
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    other = clash.first()
    if other is not None:
        raise Conflict(
            _("%(doc)s already belongs to %(name)s (id %(id)s).")
            % {"doc": field.upper(), "name": other, "id": other.pk},
            errors=[
                FieldError(
                    field, _("Another record has this %(doc)s.") % {"doc": field.upper()}, "unique"
                )
            ],
        )


def display_name(obj: Person | Company) -> str:
    """A person's full name or a company's name (timeline parameters)."""
    return obj.full_name if isinstance(obj, Person) else obj.name
