"""Writes of the shared kernel that people can trigger."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vinculo.core import audit, events, filters, table_columns
from vinculo.core.actor import Actor
from vinculo.core.errors import Conflict, FieldError, PermissionDenied, ValidationFailed
from vinculo.core.models import DeliveryStatus, EventDelivery, SavedView, SavedViewObject
from vinculo.core.permissions import require as require_permission
from vinculo.core.selectors import get_event_delivery, get_view
from vinculo.core.tenancy import Role
from vinculo.core.text import fold, name_taken


def require(actor: Actor, permission: str) -> None:
    require_permission(actor, permission)


def retry_event_delivery(*, actor: Actor, delivery_id: int) -> EventDelivery:
    """Queue a failed (or waiting) delivery to run now; refuses one that already completed."""
    with transaction.atomic():
        delivery = get_event_delivery(actor, delivery_id)
        if delivery.status == DeliveryStatus.DONE:
            raise Conflict(_("This delivery already completed."))
        events.retry_delivery(delivery)
        audit.record(
            actor,
            "event_delivery.retried",
            delivery,
            changes={"status": [delivery.status, DeliveryStatus.PENDING]},
        )
    delivery.refresh_from_db()
    return delivery


# --- saved table views --------------------------------------------------------------------------

VIEW_KEYS = frozenset({"object_type", "name", "shared", "filter", "columns", "sort", "search"})
VIEW_NAME_MAX = 80
VIEW_SEARCH_MAX = 200


def _can_manage_shared_views(actor: Actor) -> bool:
    return actor.role is None or actor.role in {Role.OWNER, Role.ADMIN, Role.MANAGER}


def _clean_view(
    actor: Actor, data: dict[str, Any], *, instance: SavedView | None
) -> dict[str, Any]:
    """The accepted fields of ``data`` (all of them when creating), or ``ValidationFailed``
    naming every bad field."""
    if not isinstance(data, dict):
        raise ValidationFailed.field("", _("Send a JSON object."), "invalid_type")
    errors: list[FieldError] = [
        FieldError(key, _("Unknown field."), "unknown_field")
        for key in data
        if key not in VIEW_KEYS
    ]
    creating = instance is None
    object_type = _view_object_type(data, instance, errors)
    run = _ViewCleaning(actor, object_type, errors, {"object_type": object_type})
    if creating or "name" in data:
        run.clean_name(data.get("name"))
    if "shared" in data:
        run.clean_shared(data["shared"])
    if creating or "filter" in data:
        run.clean_filter(data.get("filter"))
    if creating or "columns" in data:
        run.clean_columns(data.get("columns") or [])
    if creating or "sort" in data:
        run.clean_sort(data.get("sort") or "")
    if creating or "search" in data:
        run.clean_search(data.get("search") or "")
    if errors:
        raise ValidationFailed(errors[0].message, errors=errors)
    return run.cleaned


def _view_object_type(
    data: dict[str, Any], instance: SavedView | None, errors: list[FieldError]
) -> Any:
    """The view's object type: the instance's (it cannot change) or a valid one given; None
    (with an error) when the one given is not a choice."""
    object_type = data.get("object_type") if instance is None else instance.object_type
    if instance is not None and data.get("object_type", object_type) != object_type:
        errors.append(
            FieldError("object_type", _("A view's object type cannot change."), "read_only")
        )
    elif object_type not in SavedViewObject.values:
        errors.append(
            FieldError(
                "object_type",
                _("Choose one of: %(choices)s.") % {"choices": ", ".join(SavedViewObject.values)},
                "invalid_choice",
            )
        )
        object_type = None
    return object_type


@dataclass
class _ViewCleaning:
    """One pass of :func:`_clean_view`: each ``clean_*`` step checks one field, appends what is
    wrong to ``errors`` and puts the accepted value in ``cleaned``."""

    actor: Actor
    object_type: str | None
    errors: list[FieldError]
    cleaned: dict[str, Any]

    def clean_name(self, value: Any) -> None:
        name = value.strip() if isinstance(value, str) else ""
        if not name:
            self.errors.append(FieldError("name", _("Give the view a name."), "required"))
        elif len(name) > VIEW_NAME_MAX:
            self.errors.append(
                FieldError(
                    "name",
                    _("At most %(n)s characters.") % {"n": VIEW_NAME_MAX},
                    "too_long",
                )
            )
        self.cleaned["name"] = name

    def clean_shared(self, value: Any) -> None:
        if not isinstance(value, bool):
            self.errors.append(FieldError("shared", _("Send true or false."), "invalid_type"))
        self.cleaned["shared"] = value is True

    def clean_filter(self, tree: Any) -> None:
        if tree in (None, {}):
            self.cleaned["filter"] = None
        elif not isinstance(tree, dict):
            self.errors.append(
                FieldError("filter", _("The filter must be a JSON object."), "invalid_type")
            )
        else:
            if self.object_type:
                try:
                    filters.validate_filter(self.object_type, tree, actor=self.actor)
                except filters.BadFilter as exc:
                    self.errors.extend(exc.errors or [FieldError("filter", exc.detail, "invalid")])
            self.cleaned["filter"] = tree

    def clean_columns(self, columns: Any) -> None:
        if not isinstance(columns, list) or not all(isinstance(c, str) for c in columns):
            self.errors.append(
                FieldError("columns", _("Send a list of column names."), "invalid_type")
            )
        elif len(columns) > table_columns.MAX_COLUMNS:
            self.errors.append(
                FieldError(
                    "columns",
                    _("At most %(n)s columns.") % {"n": table_columns.MAX_COLUMNS},
                    "too_long",
                )
            )
        else:
            if self.object_type:
                self.errors.extend(_unknown_columns(self.actor, self.object_type, columns))
            self.cleaned["columns"] = list(dict.fromkeys(columns))

    def clean_sort(self, sort: Any) -> None:
        if not isinstance(sort, str):
            self.errors.append(FieldError("sort", _("Send a text value."), "invalid_type"))
        elif self.object_type and not table_columns.check_sort(self.object_type, sort):
            self.errors.append(
                FieldError(
                    "sort",
                    _("Sort by one of: %(fields)s (prefix - for descending).")
                    % {"fields": ", ".join(table_columns.SORTS[self.object_type])},
                    "invalid_choice",
                )
            )
        self.cleaned["sort"] = sort if isinstance(sort, str) else ""

    def clean_search(self, search: Any) -> None:
        if not isinstance(search, str):
            self.errors.append(FieldError("search", _("Send a text value."), "invalid_type"))
            search = ""
        elif len(search.strip()) > VIEW_SEARCH_MAX:
            self.errors.append(
                FieldError(
                    "search",
                    _("At most %(n)s characters.") % {"n": VIEW_SEARCH_MAX},
                    "too_long",
                )
            )
        self.cleaned["search"] = search.strip()


def _unknown_columns(actor: Actor, object_type: str, columns: list[str]) -> list[FieldError]:
    """One error per column that ``object_type``'s table cannot show."""
    allowed = [c.key for c in table_columns.available_columns(actor, object_type)]
    return [
        FieldError(
            f"columns.{index}",
            _("%(column)r is not a column here; use one of: %(allowed)s.")
            % {"column": column, "allowed": ", ".join(allowed)},
            "invalid_choice",
        )
        for index, column in enumerate(columns)
        if column not in allowed
    ]


def _check_name_free(
    actor: Actor, object_type: str, name: str, exclude_pk: int | None = None
) -> None:
    taken = SavedView.objects.for_workspace(actor.workspace).filter(
        owner=actor.user, object_type=object_type
    )
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if name_taken(taken, name):
        raise ValidationFailed.field(
            "name", _("You already have a view with this name."), "duplicate"
        )


def _snapshot_view(view: SavedView) -> dict[str, Any]:
    return {
        "name": view.name,
        "shared": view.shared,
        "filter": view.filter,
        "columns": view.columns,
        "sort": view.sort,
        "search": view.search,
    }


def save_view(*, actor: Actor, data: dict[str, Any]) -> SavedView:
    """Save a new table view owned by the actor.

    ``data``: ``object_type`` (person, company, deal), ``name`` (unique per owner and object
    type), ``shared``, ``filter`` (a condition tree, validated by the filter language),
    ``columns``, ``sort`` and ``search``. Refuses (422, naming each field) bad input, roles without
    ``records.view``, and sharing by roles that cannot change records.
    """
    with transaction.atomic():
        require(actor, "records.view")
        if actor.user is None:
            raise PermissionDenied(_("Saved views belong to a signed-in user."))
        cleaned = _clean_view(actor, data, instance=None)
        if cleaned.get("shared"):
            require(actor, "records.write")
        _check_name_free(actor, cleaned["object_type"], cleaned["name"])
        view = SavedView.objects.create(
            workspace=actor.workspace, owner=actor.user, created_by=actor.user, **cleaned
        )
        audit.record(
            actor,
            "saved_view.created",
            view,
            changes={k: [None, v] for k, v in _snapshot_view(view).items()},
        )
    return view


def _view_for_update(actor: Actor, view_id: int) -> SavedView:
    """The view, locked, if the actor may change it: its owner always; a shared view also the
    workspace's owners, admins and managers. Another member's personal view is a 404."""
    get_view(actor, view_id)
    view = SavedView.objects.select_for_update().get(pk=view_id)
    if view.owner_id != (actor.user.pk if actor.user else None) and not (
        view.shared and _can_manage_shared_views(actor)
    ):
        raise PermissionDenied(
            _("Only the owner of this view, an admin or a manager can change it.")
        )
    return view


def update_view(*, actor: Actor, view_id: int, data: dict[str, Any]) -> SavedView:
    """Change a saved view's name, sharing, filter, columns, sort or search (only the keys
    given). Refuses others' personal views (404), shared views of others unless owner/admin/
    manager (403), bad input (422 naming the fields) and a name the view's owner already uses."""
    with transaction.atomic():
        require(actor, "records.view")
        view = _view_for_update(actor, view_id)
        cleaned = _clean_view(actor, data, instance=view)
        cleaned.pop("object_type", None)
        if cleaned.get("shared") and not view.shared:
            require(actor, "records.write")
        if "name" in cleaned and fold(cleaned["name"]) != fold(view.name):
            taken = SavedView.objects.for_workspace(actor.workspace).filter(
                owner_id=view.owner_id, object_type=view.object_type
            )
            if name_taken(taken.exclude(pk=view.pk), cleaned["name"]):
                raise ValidationFailed.field(
                    "name", _("The owner already has a view with this name."), "duplicate"
                )
        before = _snapshot_view(view)
        for key, value in cleaned.items():
            setattr(view, key, value)
        view.save()
        changes = audit.diff(before, _snapshot_view(view))
        if changes:
            audit.record(actor, "saved_view.updated", view, changes=changes)
    return view


def delete_view(*, actor: Actor, view_id: int) -> None:
    """Delete a saved view (views are settings, not records: no bin). Same rules as
    :func:`update_view`."""
    with transaction.atomic():
        require(actor, "records.view")
        view = _view_for_update(actor, view_id)
        audit.record(
            actor,
            "saved_view.deleted",
            view,
            changes={k: [v, None] for k, v in _snapshot_view(view).items()},
        )
        view.delete()
