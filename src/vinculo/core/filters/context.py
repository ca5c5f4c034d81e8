"""The state of one compilation: the actor, the workspace's time zone and day, the errors found so
far, and the custom fields and choices loaded once per call."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.core.actor import Actor
from vinculo.core.errors import FieldError
from vinculo.core.filters.registry import FilterField, FilterObject
from vinculo.core.tenancy import Membership


def workspace_tz(actor: Actor) -> ZoneInfo:
    try:
        return ZoneInfo(actor.workspace.timezone or settings.TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def workspace_today(actor: Actor) -> date:
    """Today in the workspace's time zone (the default end of a period, an analysis date)."""
    return timezone.now().astimezone(workspace_tz(actor)).date()


@dataclass
class CompileContext:
    actor: Actor
    tz: ZoneInfo
    today: date
    errors: list[FieldError] = field(default_factory=list)
    conditions: int = 0
    custom: dict[str, dict[str, FilterField]] = field(default_factory=dict)
    choices: dict[tuple[str, str], list[tuple[Any, Any]]] = field(default_factory=dict)

    def fail(self, path: str, message: str, code: str) -> None:
        self.errors.append(FieldError(path, message, code))

    def custom_fields(self, obj: FilterObject) -> dict[str, FilterField]:
        if obj.object_type not in self.custom:
            loaded = obj.custom_fields(self.actor) if obj.custom_fields else ()
            self.custom[obj.object_type] = {f.json_key: f for f in loaded}
        return self.custom[obj.object_type]

    def choices_of(self, obj: FilterObject, f: FilterField) -> list[tuple[Any, Any]]:
        cache_key = (obj.object_type, f.name)
        if cache_key not in self.choices:
            self.choices[cache_key] = _choices(obj, f, self.actor)
        return self.choices[cache_key]

    def day_start(self, day: date) -> datetime:
        return datetime.combine(day, time.min, tzinfo=self.tz)


def _choices(obj: FilterObject, f: FilterField, actor: Actor) -> list[tuple[Any, Any]]:
    if callable(f.choices):
        return list(f.choices(actor))
    if f.choices is not None:
        return list(f.choices)
    if f.type == "user":
        return _member_choices(actor)
    if not f.is_custom:
        model_field = resolve_model_field(obj.model, f.path)[0]
        if model_field.choices:
            return [(value, label) for value, label in model_field.flatchoices]
    return []


def _member_choices(actor: Actor) -> list[tuple[Any, Any]]:
    members = (
        Membership.objects.for_workspace(actor.workspace)
        .filter(is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    return [("me", _("Me (the signed-in user)"))] + [
        (m.user_id, m.user.full_name or m.user.email) for m in members
    ]


def resolve_model_field(model: type[Model], path: str) -> tuple[Any, bool]:
    """The model field at the end of ``path`` (``lifecycle_stage__key``) and whether the path
    can yield NULL (a nullable column or a nullable foreign key on the way)."""
    nullable = False
    current: Any = model
    model_field: Any = None
    for part in path.split("__"):
        model_field = current._meta.get_field(part)
        nullable = nullable or bool(getattr(model_field, "null", False))
        if model_field.is_relation and model_field.related_model is not None:
            current = model_field.related_model
    return model_field, nullable
