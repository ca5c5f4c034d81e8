"""What the people, company and deal tables share: the filter builder's configuration, the
chosen columns, saved views (apply, save, rename, share, delete) and bulk actions over the
selection or over the whole filtered set.

The table's state lives in the address: ``q``, ``filter`` (a condition tree as JSON), ``sort``,
``columns=a,b,c`` and ``view=<id>`` (a saved view; its values apply unless the address carries
its own). Without JavaScript the builder's rows can be sent as ``fb_field``/``fb_op``/``fb_value``
(``fb_value2`` for the upper end of "between") and ``fb_match=all|any``.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils.formats import number_format
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from vinculo.core import filters as filter_language
from vinculo.core import selectors as core_selectors
from vinculo.core import services as core_services
from vinculo.core.bulk import UNEXPECTED_ROW
from vinculo.core.errors import NotFound, PermissionDenied, ServiceError
from vinculo.core.models import SavedView
from vinculo.core.permissions import can
from vinculo.core.table_columns import Column, available_columns, choose_columns, parse_columns
from vinculo.core.ui import actor

logger = logging.getLogger(__name__)

STATE_KEYS = ("q", "filter", "sort", "columns")
BULK_BATCH = 200
MAX_BULK_ALL = 10_000
MULTI_OPS = frozenset({"in", "not_in", "has_any", "has_all", "has_none"})
UNARY_OPS = frozenset({"is_empty", "is_not_empty", "is_true", "is_false", "exists", "not_exists"})
DAYS_OPS = frozenset({"in_last_days", "in_next_days", "more_than_days_ago"})

OPERATOR_LABELS: dict[str, Any] = {
    "eq": gettext_lazy("is"),
    "neq": gettext_lazy("is not"),
    "contains": gettext_lazy("contains"),
    "not_contains": gettext_lazy("does not contain"),
    "starts_with": gettext_lazy("starts with"),
    "ends_with": gettext_lazy("ends with"),
    "in": gettext_lazy("is any of"),
    "not_in": gettext_lazy("is none of"),
    "is_empty": gettext_lazy("is empty"),
    "is_not_empty": gettext_lazy("is not empty"),
    "gt": gettext_lazy("greater than"),
    "gte": gettext_lazy("at least"),
    "lt": gettext_lazy("less than"),
    "lte": gettext_lazy("at most"),
    "between": gettext_lazy("between"),
    "before": gettext_lazy("before"),
    "after": gettext_lazy("after"),
    "on_or_before": gettext_lazy("on or before"),
    "on_or_after": gettext_lazy("on or after"),
    "in_last_days": gettext_lazy("in the last … days"),
    "in_next_days": gettext_lazy("in the next … days"),
    "more_than_days_ago": gettext_lazy("more than … days ago"),
    "is_true": gettext_lazy("is yes"),
    "is_false": gettext_lazy("is no"),
    "has_any": gettext_lazy("has any of"),
    "has_all": gettext_lazy("has all of"),
    "has_none": gettext_lazy("has none of"),
    "exists": gettext_lazy("has at least one"),
    "not_exists": gettext_lazy("has none"),
}


# --- the filter builder ---------------------------------------------------------------------------


def builder_config(
    request: HttpRequest, object_type: str, *, tags: Iterable[str] = ()
) -> dict[str, Any]:
    """What static/web/filters.js needs, embedded in the page with ``json_script``: the fields
    of ``describe()`` (relations only as "has any / has none"), operator labels and texts."""
    fields = []
    for entry in filter_language.describe(object_type, actor=actor(request)):
        if entry["type"] == "relation":
            entry = {**entry, "operators": ["exists", "not_exists"]}
        fields.append(entry)
    return {
        "fields": fields,
        "ops": {k: str(v) for k, v in OPERATOR_LABELS.items()},
        "tags": sorted(tags),
        "texts": {
            "add": _("Add condition"),
            "remove": _("Remove condition"),
            "match": _("Match"),
            "all": _("all conditions"),
            "any": _("any condition"),
            "field": _("Field"),
            "operator": _("Operator"),
            "value": _("Value"),
            "and": _("and"),
            "days": _("days"),
            "me": _("Me"),
            "choose": _("Choose…"),
            "custom": _("Custom fields"),
            "standard": _("Fields"),
            "related": _("Related records"),
            "clear": _("Clear filter"),
            "complex": _(
                "This filter is too complex for the builder; edit it as JSON under Advanced."
            ),
            "separator": _("Separate values with commas."),
        },
    }


def _builder_value(op: str, value: str, value2: str) -> Any:
    if op in UNARY_OPS:
        return None
    if op == "between":
        return [value.strip(), value2.strip()]
    if op in MULTI_OPS:
        return [v.strip() for v in value.split(",") if v.strip()]
    return value.strip()


def tree_from_builder(source: QueryDict) -> dict[str, Any] | None:
    """A condition tree from the builder's rows sent as form fields (``fb_field``, ``fb_op``,
    ``fb_value``, ``fb_value2``, ``fb_match``); rows without a field are skipped. The filter
    language validates the result like any other tree."""
    names = source.getlist("fb_field")
    ops = source.getlist("fb_op")
    values = source.getlist("fb_value")
    uppers = source.getlist("fb_value2")
    conditions: list[dict[str, Any]] = []
    for index, name in enumerate(names):
        name = name.strip()
        if not name:
            continue
        op = ops[index].strip() if index < len(ops) else "eq"
        value = values[index] if index < len(values) else ""
        upper = uppers[index] if index < len(uppers) else ""
        condition: dict[str, Any] = {"field": name, "op": op}
        if op not in UNARY_OPS:
            condition["value"] = _builder_value(op, value, upper)
        conditions.append(condition)
    if not conditions:
        return None
    group = "or" if source.get("fb_match") == "any" else "and"
    return {group: conditions}


def fold(tree: dict[str, Any] | None, conditions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """``tree`` AND ``conditions`` (the toolbar's quick filters), as one tree to save."""
    if not conditions:
        return tree
    if not tree:
        return {"and": conditions}
    if set(tree) == {"and"} and isinstance(tree["and"], list):
        return {"and": [*tree["and"], *conditions]}
    return {"and": [tree, *conditions]}


# --- the state of a table ------------------------------------------------------------------------


@dataclass
class TableState:
    """What a table shows: search, filter (JSON text), sort, columns and the applied view."""

    object_type: str
    q: str = ""
    filter: str = ""
    sort: str = ""
    column_keys: list[str] = field(default_factory=list)
    columns: list[Column] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    available: list[Column] = field(default_factory=list)
    view: SavedView | None = None

    @property
    def column_set(self) -> set[str]:
        return {c.key for c in self.columns}

    @property
    def columns_param(self) -> str:
        return ",".join(c.key for c in self.columns)


def table_state(
    request: HttpRequest, object_type: str, source: QueryDict | None = None
) -> TableState:
    """The table's state from the address (or a posted form): a saved view's values unless the
    address carries its own; the builder's form rows when there is no JSON filter. Another
    member's personal view (or another workspace's) is a 404."""
    source = request.GET if source is None else source
    state = TableState(object_type=object_type)
    view_id = source.get("view", "")
    if view_id.isdigit():
        state.view = core_selectors.get_view(actor(request), int(view_id))
        if state.view.object_type != object_type:
            raise NotFound(_("No saved view with id %(id)s.") % {"id": view_id})
    own = any(key in source for key in STATE_KEYS) or "fb_field" in source
    if state.view is not None and not own:
        state.q = state.view.search
        state.filter = (
            json.dumps(state.view.filter, ensure_ascii=False) if state.view.filter else ""
        )
        state.sort = state.view.sort
        state.column_keys = list(state.view.columns)
    else:
        state.q = source.get("q", "").strip()
        state.filter = source.get("filter", "").strip()
        state.sort = source.get("sort", "").strip()
        state.column_keys = parse_columns(source.getlist("columns"))
        if not state.filter and "fb_field" in source:
            tree = tree_from_builder(source)
            state.filter = json.dumps(tree, ensure_ascii=False) if tree else ""
    state.available = available_columns(actor(request), object_type)
    state.columns, state.unknown_columns = choose_columns(
        actor(request), object_type, state.column_keys, state.available
    )
    return state


def table_context(
    request: HttpRequest, state: TableState, *, list_url: str, tags: Iterable[str] = ()
) -> dict[str, Any]:
    """Template context of the views bar, the builder and the columns menu."""
    a = actor(request)
    mine: list[SavedView] = []
    shared: list[SavedView] = []
    for view in core_selectors.views(a, state.object_type):
        (mine if a.user is not None and view.owner_id == a.user.pk else shared).append(view)
    return {
        "table": state,
        "object_type": state.object_type,
        "list_url": list_url,
        "views_mine": mine,
        "views_shared": shared,
        "active_view": state.view,
        "view_editable": state.view is not None and may_edit_view(request, state.view),
        "can_share_views": can(a, "records.write"),
        "available_columns": state.available,
        "builder": builder_config(request, state.object_type, tags=tags),
        "column_error": (
            _("Unknown columns were left out: %(columns)s.")
            % {"columns": ", ".join(state.unknown_columns)}
            if state.unknown_columns
            else ""
        ),
    }


def may_edit_view(request: HttpRequest, view: SavedView) -> bool:
    a = actor(request)
    if a.user is not None and view.owner_id == a.user.pk:
        return True
    return view.shared and core_services._can_manage_shared_views(a)


def posted_state(post: QueryDict) -> QueryDict:
    """The posted form with the ``state_<key>`` fallbacks of web/_view_state.html renamed to
    ``<key>`` (where the form has no ``<key>`` of its own)."""
    data = post.copy()
    for key in list(post):
        if key.startswith("state_") and key.removeprefix("state_") not in post:
            data.setlist(key.removeprefix("state_"), post.getlist(key))
    return data


# --- saved views from the UI ---------------------------------------------------------------------


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def handle_view_post(
    request: HttpRequest,
    object_type: str,
    *,
    list_url: str,
    quick_filters: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    """Save, save as, rename, share or delete a saved view from the views bar, then go back to
    the table (showing the view). Refusals come back as messages."""
    a = actor(request)
    post = posted_state(request.POST)
    action = post.get("view_action", "")
    view_id = post.get("view", "")
    try:
        if action in {"save", "save_as"}:
            state = table_state(request, object_type, source=post)
            tree = fold(filter_language.parse_filter_param(state.filter), quick_filters or [])
            data: dict[str, Any] = {
                "filter": tree,
                "columns": [c.key for c in state.columns],
                "sort": state.sort,
                "search": state.q,
            }
            if action == "save_as" or not view_id.isdigit():
                data.update(
                    object_type=object_type,
                    name=post.get("name", ""),
                    shared=post.get("shared") == "1",
                )
                view = core_services.save_view(actor=a, data=data)
                messages.success(request, _("View “%(name)s” saved.") % {"name": view.name})
            else:
                view = core_services.update_view(actor=a, view_id=int(view_id), data=data)
                messages.success(request, _("View “%(name)s” updated.") % {"name": view.name})
            return redirect(f"{list_url}?{urlencode({'view': view.pk})}")
        if not view_id.isdigit():
            messages.error(request, _("Choose a view first."))
            return redirect(_back(request, list_url))
        if action == "rename":
            view = core_services.update_view(
                actor=a, view_id=int(view_id), data={"name": post.get("name", "")}
            )
            messages.success(request, _("View renamed to “%(name)s”.") % {"name": view.name})
        elif action == "share":
            view = core_services.update_view(
                actor=a, view_id=int(view_id), data={"shared": post.get("shared") == "1"}
            )
            messages.success(
                request,
                _("“%(name)s” is now shared with the workspace.") % {"name": view.name}
                if view.shared
                else _("“%(name)s” is now visible to you only.") % {"name": view.name},
            )
        elif action == "delete":
            core_services.delete_view(actor=a, view_id=int(view_id))
            messages.success(request, _("View deleted."))
            return redirect(list_url)
        else:
            messages.error(request, _("Choose what to do with the view."))
            return redirect(_back(request, list_url))
        return redirect(f"{list_url}?{urlencode({'view': view.pk})}")
    except (NotFound, PermissionDenied, ServiceError) as exc:
        messages.error(request, exc.detail)
        return redirect(_back(request, list_url))


# --- bulk actions ---------------------------------------------------------------------------------


def bulk_value(post: QueryDict, action: str) -> str:
    """The value of ``action`` from its own input (``owner_id``, ``stage_key``, ``tag_name``) or
    from the generic ``value``."""
    own = {"owner": "owner_id", "lifecycle": "stage_key", "tag": "tag_name"}.get(action, "")
    return (post.get(own, "") if own else "").strip() or post.get("value", "").strip()


def run_bulk(
    request: HttpRequest,
    *,
    apply: Callable[[int, str, str], None],
    matching: Callable[[], QuerySet],
    noun: Callable[[int], str],
    actions: Iterable[str] = ("owner", "lifecycle", "tag", "delete"),
) -> None:
    """Apply ``action`` to the posted ``ids`` or, with ``scope=all``, to every row of
    ``matching()`` (at most :data:`MAX_BULK_ALL`), one service call per row in batches of
    :data:`BULK_BATCH`; the outcome becomes one message ("1,234 people updated; 3 refused: …").
    ``apply(pk, action, value)`` calls the service and raises ``ServiceError`` to refuse."""
    post = posted_state(request.POST)
    action = post.get("action", "")
    value = bulk_value(post, action)
    if action not in actions or (action == "tag" and not value):
        messages.error(
            request, _("Choose an action.") if action not in actions else _("Type a tag.")
        )
        return
    if post.get("scope") == "all":
        ids = list(matching().order_by("pk").values_list("pk", flat=True)[: MAX_BULK_ALL + 1])
        if len(ids) > MAX_BULK_ALL:
            messages.error(
                request,
                _("More than %(n)s rows match; narrow the filter first.")
                % {"n": number_format(MAX_BULK_ALL, force_grouping=True)},
            )
            return
    else:
        ids = [int(i) for i in post.getlist("ids") if i.isdigit()]
    if not ids:
        messages.error(request, _("Select at least one row."))
        return
    done = 0
    refused: dict[str, int] = {}
    for start in range(0, len(ids), BULK_BATCH):
        for pk in ids[start : start + BULK_BATCH]:
            try:
                apply(pk, action, value)
            except (ServiceError, ValueError) as exc:
                reason = exc.detail if isinstance(exc, ServiceError) else str(exc)
                refused[reason] = refused.get(reason, 0) + 1
            except Exception:  # one bad record never fails the others (its write is undone)
                logger.exception("bulk %s of record %s failed", action, pk)
                refused[_(UNEXPECTED_ROW)] = refused.get(_(UNEXPECTED_ROW), 0) + 1
            else:
                done += 1
    failed = sum(refused.values())
    verb = _("moved to the bin") if action == "delete" else _("updated")
    text = _("%(count)s %(noun)s %(verb)s") % {
        "count": number_format(done, force_grouping=True),
        "noun": noun(done),
        "verb": verb,
    }
    if failed:
        text += "; " + ngettext(
            "%(count)s refused: %(why)s", "%(count)s refused: %(why)s", failed
        ) % {
            "count": number_format(failed, force_grouping=True),
            "why": " ".join(sorted(refused)[:3]),
        }
    (messages.success if done and not failed else messages.warning if done else messages.error)(
        request, text + "."
    )
