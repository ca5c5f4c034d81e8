"""The deal screens: the Kanban board, the deal table, the new-deal form and the deal page.

Thin like the API: every read goes through :mod:`vinculo.sales.selectors` (another workspace's
id is a 404) and every write through :mod:`vinculo.sales.services`, whose field errors are shown
next to the fields with what the user typed kept.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from vinculo.contacts import selectors as contact_selectors
from vinculo.core import filters as filter_language
from vinculo.core import pickers, record_pages, tables
from vinculo.core.errors import ServiceError
from vinculo.core.exports import ExportSpec, export_response
from vinculo.core.pagination import paginate
from vinculo.core.permissions import can, require
from vinculo.core.ui import (
    actor,
    field_errors,
    is_htmx,
    posted_tags_and_custom_fields,
    safe_next,
    timeline_context,
    workspace_view,
)
from vinculo.sales import selectors, services
from vinculo.sales.board_moves import board_url_with_moved, undo_of
from vinculo.sales.contract import DEAL
from vinculo.sales.models import Deal, Pipeline, StageKind
from vinculo.workspaces.selectors import members

PER_STAGE = 20  # cards per column; the column header links to all of them
CLOSED_WITHIN_DAYS = 30
PAGE_SIZE = 50

DEAL_SORTS = [
    ("-created_at", gettext_lazy("Newest first")),
    ("created_at", gettext_lazy("Oldest first")),
    ("-amount", gettext_lazy("Largest amount")),
    ("amount", gettext_lazy("Smallest amount")),
    ("expected_close_date", gettext_lazy("Closing soonest")),
    ("title", gettext_lazy("Title A to Z")),
    ("-updated_at", gettext_lazy("Recently changed")),
]
STATUSES = [
    ("open", gettext_lazy("Open")),
    ("won", gettext_lazy("Won")),
    ("lost", gettext_lazy("Lost")),
]
# The deal's own fields on the form and the deal page: (name, label, input type), labelled by
# the write contract (vinculo.sales.contract).
DEAL_FIELDS = [
    (name, label, DEAL[name].input_type)
    for name, label in DEAL.form_fields(
        "title", "amount", "currency", "expected_close_date", "source"
    )
]
LINE_ITEM_FIELDS = ("name", "quantity", "unit_price", "discount_percent")
DEAL_PICKERS = {"person_id": "person", "company_id": "company"}


def _int(value: str | None) -> int | None:
    value = (value or "").strip()
    return int(value) if value.isdigit() else None


def _owners(request: HttpRequest) -> list[Any]:
    return [m.user for m in members(actor(request)).filter(is_active=True).order_by("user__email")]


# --- the board --------------------------------------------------------------------------------


def _board_params(request: HttpRequest) -> dict[str, Any]:
    return {
        "pipeline": request.GET.get("pipeline", "").strip(),
        "q": request.GET.get("q", "").strip(),
        "owner_id": request.GET.get("owner_id", "").strip(),
        "filter": request.GET.get("filter", "").strip(),
    }


def _live_pipelines(request: HttpRequest) -> list[Pipeline]:
    # The default pipeline is made with the workspace; a workspace whose pipelines were all
    # deleted shows none (the first deal makes the default again), reads never create it.
    return list(selectors.pipelines(actor(request)))


def _chosen_pipeline(request: HttpRequest, live: list[Pipeline], wanted: str) -> Pipeline | None:
    pipeline_id = _int(wanted)
    if pipeline_id is not None:
        chosen = next((p for p in live if p.pk == pipeline_id), None)
        # archived pipelines keep their board; another workspace's id is a 404
        return chosen or selectors.get_pipeline(actor(request), pipeline_id)
    return next((p for p in live if p.is_default), live[0] if live else None)


def _board_context(
    request: HttpRequest,
    *,
    pipeline_id: int | None = None,
    error: str | None = None,
    moved: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything the board partial shows, for the board's query string (filters kept).

    ``moved`` is the move just made (deal, from and to stage, the lost reason it had): its card
    stays on the board even beyond a full column, and the board offers to undo it."""
    a = actor(request)
    params = _board_params(request)
    live = _live_pipelines(request)
    wanted = str(pipeline_id) if pipeline_id is not None else params["pipeline"]
    pipeline = _chosen_pipeline(request, live, wanted)
    if pipeline is None:
        return {
            "board": None,
            "pipeline": None,
            "pipelines": live,
            "params": params,
            "board_error": error,
            "moved": None,
            "can_write": can(a, "deals.write"),
        }
    owner_id = _int(params["owner_id"])
    board = None
    try:
        board = selectors.board(
            a,
            pipeline.pk,
            per_stage=PER_STAGE,
            closed_within_days=CLOSED_WITHIN_DAYS,
            q=params["q"] or None,
            owner_id=owner_id,
            filter=selectors.parse_filter(params["filter"]),
            # a move without JavaScript comes back to the board with ?moved=<deal id>
            pinned=moved["deal"].pk if moved else _int(request.GET.get("moved")),
        )
    except ServiceError as exc:
        errors = field_errors(exc)
        error = error or " ".join(m for ms in errors.values() for m in ms)
    query = request.GET.copy()
    query["pipeline"] = str(pipeline.pk)
    return {
        "board": board,
        "pipeline": pipeline,
        "pipelines": live,
        "params": params,
        "board_error": error,
        "moved": moved,
        "board_url": f"{reverse('sales:board')}?{query.urlencode()}",
        "board_query": query.urlencode(),
        "can_write": can(a, "deals.write"),
        "stage_kinds": StageKind,
        "lost_reasons": selectors.lost_reasons(a, pipeline),
    }


@workspace_view
def board(request: HttpRequest) -> HttpResponse:
    """``/deals/``: the default pipeline's board (``?pipeline=`` for another), with filters."""
    context = _board_context(request)
    if is_htmx(request) and request.headers.get("HX-Target") == "board":
        return render(request, "sales/_board.html", context)
    context["owners"] = _owners(request)
    return render(request, "sales/board.html", context)


@workspace_view
@require_POST
def deal_move(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Move a deal to ``stage_id`` (with ``lost_reason_id``/``lost_note`` for a lost stage).

    From the board (htmx): answers the re-rendered board of the deal's pipeline with the moved
    card in sight and a toast to undo the move (a move back through this same view), 422 with
    the service's message when refused. From a plain form: back to ``next`` with a message.
    """
    a = actor(request)
    error = None
    before = selectors.deal_position(a, deal_id)
    try:
        deal = services.move_deal(
            actor=a,
            deal_id=deal_id,
            stage_id=_int(request.POST.get("stage_id")) or 0,
            lost_reason_id=request.POST.get("lost_reason_id") or None,
            lost_note=request.POST.get("lost_note", ""),
        )
    except ServiceError as exc:
        errors = field_errors(exc)  # 403 and 404 are not form errors: re-raised
        error = " ".join(m for ms in errors.values() for m in ms)
        deal = selectors.get_deal(a, deal_id)
    if is_htmx(request):
        moved = None if error else undo_of(before, deal)
        context = _board_context(request, pipeline_id=deal.pipeline_id, error=error, moved=moved)
        return render(request, "sales/_board.html", context, status=422 if error else 200)
    target = safe_next(request, referer=False, default=reverse("sales:deal", args=[deal.pk]))
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("%(title)s moved to %(stage)s.") % {"title": deal.title, "stage": deal.stage.name},
        )
        target = board_url_with_moved(target, deal.pk)
    return redirect(target)


# --- the table --------------------------------------------------------------------------------


QUICK_KEYS = ("status", "pipeline", "owner_id", "stage")


def _list_params(
    request: HttpRequest, state: tables.TableState | None = None, source: Any = None
) -> dict[str, Any]:
    """Search, filter and sort from ``state`` (the address or a saved view); the toolbar's quick
    filters from ``source`` (the address or a posted form)."""
    source = request.GET if source is None else source
    if state is None:
        state = tables.table_state(request, "deal", source=source)
    return {
        "q": state.q,
        "status": source.get("status", "").strip(),
        "owner_id": source.get("owner_id", "").strip(),
        "pipeline": source.get("pipeline", "").strip(),
        "stage": source.get("stage", "").strip(),
        "filter": state.filter,
        "sort": state.sort if state.sort in dict(DEAL_SORTS) else "-created_at",
    }


def _quick_filters(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The toolbar's quick filters as conditions, so a saved view keeps them."""
    conditions: list[dict[str, Any]] = []
    if params["status"]:
        conditions.append({"field": "status", "op": "eq", "value": params["status"]})
    for key, name in (("pipeline", "pipeline"), ("stage", "stage"), ("owner_id", "owner")):
        if params[key].isdigit():
            conditions.append({"field": name, "op": "eq", "value": int(params[key])})
    return conditions


def _list_queryset(request: HttpRequest, params: dict[str, Any]) -> QuerySet[Deal]:
    return selectors.deals(
        actor(request),
        q=params["q"] or None,
        status=params["status"] or None,
        owner_id=_int(params["owner_id"]),
        pipeline_id=_int(params["pipeline"]),
        stage_id=_int(params["stage"]),
        filter=params["filter"] or None,
    ).select_related("pipeline", "owner", "person", "company")


@workspace_view
def deal_list(request: HttpRequest) -> HttpResponse:
    """``/deals/list/``: the deals as a table with search, the filter builder, columns, saved
    views, sort and "load more". POST changes a saved view."""
    a = actor(request)
    list_url = reverse("sales:list")
    if request.method == "POST":
        params = _list_params(request, source=tables.posted_state(request.POST))
        return tables.handle_view_post(
            request, "deal", list_url=list_url, quick_filters=_quick_filters(params)
        )
    state = tables.table_state(request, "deal")
    params = _list_params(request, state)
    page = None
    total = None
    error = None
    try:
        qs = _list_queryset(request, params)
        page = paginate(
            qs,
            cursor=request.GET.get("cursor"),
            limit=PAGE_SIZE,
            order=params["sort"],
        )
        total = None if request.GET.get("cursor") else qs.count()
    except ServiceError as exc:
        errors = field_errors(exc)
        error = " ".join(m for ms in errors.values() for m in ms)
    context = {
        "page": page,
        "total": total,
        "params": params,
        "error": error,
        "sorts": DEAL_SORTS,
        "statuses": STATUSES,
        "pipelines": _live_pipelines(request),
        "can_write": can(a, "deals.write"),
        "can_export": can(a, "data.export"),
        "quick_keys": QUICK_KEYS,
        **tables.table_context(request, state, list_url=list_url),
    }
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "sales/_deal_rows.html", context)
    if is_htmx(request) and request.headers.get("HX-Target") == "deal-results":
        return render(request, "sales/_deal_results.html", context)
    context["owners"] = _owners(request)
    return render(request, "sales/deal_list.html", context)


@workspace_view
def deal_export(request: HttpRequest) -> HttpResponseBase:
    """The table's current view (search, filter, quick filters, sort, chosen columns) as CSV or
    XLSX (``format=xlsx``) through the one export service; large exports run in the
    background."""
    require(actor(request), "data.export")
    back = reverse("sales:list")
    state = tables.table_state(request, "deal")
    params = _list_params(request, state)
    try:
        tree = tables.fold(
            filter_language.parse_filter_param(params["filter"]), _quick_filters(params)
        )
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    spec = ExportSpec(
        object_type="deal",
        filter=tree,
        q=params["q"],
        sort=params["sort"],
        # The table's columns when the address or the view chose them; else every column.
        columns=[c.key for c in state.columns] if state.column_keys else None,
    )
    return export_response(request, spec, back=back)


# --- the form ---------------------------------------------------------------------------------


def _form_data(request: HttpRequest, names: list[str]) -> dict[str, Any]:
    """What the form posted, as the service's input (ids as posted: the service checks them)."""
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in names}
    for name in ("owner_id", "person_id", "company_id", "stage_id"):
        if name in request.POST:
            data[name] = request.POST.get(name) or None
    if "expected_close_date" in data:
        data["expected_close_date"] = data["expected_close_date"] or None
    if "amount" in data and not str(data["amount"]).strip():
        data["amount"] = None
    if "description" in request.POST:
        data["description"] = request.POST.get("description", "")
    data.update(posted_tags_and_custom_fields(request))
    return data


def _choices_context(request: HttpRequest, values: dict[str, Any]) -> dict[str, Any]:
    """Owners, the chosen person and company (pickers search the rest) and the custom fields
    the deal forms offer."""
    a = actor(request)
    return {
        "owners": _owners(request),
        "picks": pickers.picked_values(a, values, DEAL_PICKERS),
        "custom_defs": list(contact_selectors.custom_fields(a, object_type="deal")),
        "fields": DEAL_FIELDS,
    }


@workspace_view
def deal_create(request: HttpRequest) -> HttpResponse:
    """``/deals/new/``: title, stage (hence pipeline), money, dates, people, custom fields."""
    a = actor(request)
    require(a, "deals.write")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = _form_data(request, [name for name, _label, _kind in DEAL_FIELDS])
        try:
            deal = services.create_deal(actor=a, data=data)
        except ServiceError as exc:
            errors = field_errors(exc)
        else:
            messages.success(request, _("%(title)s was added.") % {"title": deal.title})
            return redirect("sales:deal", deal_id=deal.pk)
    else:
        data = {
            "stage_id": request.GET.get("stage", ""),
            "currency": a.workspace.default_currency,
            "owner_id": a.user.pk if a.user else None,
            "person_id": request.GET.get("person", ""),
            "company_id": request.GET.get("company", ""),
        }
    return render(
        request,
        "sales/deal_form.html",
        {
            "data": data,
            "errors": errors,
            "pipelines": _live_pipelines(request),
            **_choices_context(request, data),
        },
        status=422 if errors else 200,
    )


# --- the deal page ----------------------------------------------------------------------------


def _stage_history(deal: Deal) -> list[dict[str, Any]]:
    """Each stage the deal entered: when, when it left, how long it stayed."""
    now = timezone.now()
    changes = list(deal.stage_changes.all())
    rows = []
    for i, change in enumerate(changes):
        left = changes[i + 1].changed_at if i + 1 < len(changes) else None
        rows.append(
            {
                "change": change,
                "stage": change.to_stage.name if change.to_stage else _("(deleted stage)"),
                "from_stage": change.from_stage.name if change.from_stage else "",
                "entered": change.changed_at,
                "left": left,
                "seconds": int(((left or now) - change.changed_at).total_seconds()),
                "current": left is None,
            }
        )
    return rows


def _line_items_input(deal: Deal) -> list[dict[str, Any]]:
    """The deal's line items as :func:`services.update_deal` takes them back."""
    return [
        {
            "product_id": item.product_id,
            "name": item.name,
            "quantity": str(item.quantity),
            "unit_price": str(item.unit_price),
            "discount_percent": str(item.discount_percent),
        }
        for item in deal.line_items.all()
    ]


def _field_values(deal: Deal, posted: dict[str, Any] | None) -> dict[str, Any]:
    """What the fields form shows: the deal's values, or what was posted when it was refused."""
    if posted is not None:
        values = {name: posted.get(name) for name, _label, _kind in DEAL_FIELDS}
        for name in ("owner_id", "person_id", "company_id", "description"):
            values[name] = posted.get(name)
        values["custom_fields"] = {**deal.custom_fields, **(posted.get("custom_fields") or {})}
        return values
    return {
        "title": deal.title,
        "amount": str(deal.amount),
        "currency": deal.currency,
        "expected_close_date": deal.expected_close_date.isoformat()
        if deal.expected_close_date
        else "",
        "source": deal.source,
        "owner_id": deal.owner_id,
        "person_id": deal.person_id,
        "company_id": deal.company_id,
        "description": deal.description,
        "custom_fields": deal.custom_fields,
    }


def _detail_context(
    request: HttpRequest,
    deal: Deal,
    *,
    data: dict[str, Any] | None = None,
    product_id: Any = None,
    **extra: Any,
) -> dict[str, Any]:
    a = actor(request)
    values = _field_values(deal, data)
    pipeline = selectors.get_pipeline(a, deal.pipeline_id)
    stages = list(pipeline.stages.all())
    current = deal.stage
    items: list[dict[str, Any]] = [
        {"item": i, "total": services.line_total(i.quantity, i.unit_price, i.discount_percent)}
        for i in deal.line_items.all()
    ]
    return {
        "deal": deal,
        "pipeline": pipeline,
        "progress": [
            {
                "stage": s,
                "current": s.pk == current.pk,
                "done": current.kind != StageKind.LOST
                and s.position < current.position
                and s.kind == StageKind.OPEN,
            }
            for s in stages
            if s.kind != StageKind.LOST
        ],
        "lost_stages": [s for s in stages if s.kind == StageKind.LOST],
        "lost_reasons": selectors.lost_reasons(a, pipeline),
        "line_items": items,
        "line_items_total": sum((row["total"] for row in items), Decimal("0.00")),
        "history": _stage_history(deal),
        **record_pages.context_for("deal", request, a, deal, deal.deleted_at is None),
        **timeline_context(request, deal_id=deal.pk),
        "can_write": can(a, "deals.write") and deal.deleted_at is None,
        "can_log": can(a, "activities.write"),
        "errors": {},
        "item_errors": {},
        "new_item": {},
        "values": values,
        "has_products": selectors.products(a).exists(),
        "product": pickers.picked(a, "product", product_id),
        **_choices_context(request, values),
        **extra,
    }


@workspace_view
def deal_detail(request: HttpRequest, deal_id: int) -> HttpResponse:
    """``/deals/<id>/``: fields, stage progress, line items, stage history and timeline."""
    a = actor(request)
    deal = selectors.get_deal(a, deal_id)
    if is_htmx(request) and request.GET.get("cursor"):
        return render(
            request, "contacts/_timeline_entries.html", timeline_context(request, deal_id=deal.pk)
        )
    return render(request, "sales/deal_detail.html", _detail_context(request, deal))


@workspace_view
@require_POST
def deal_update(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Save the deal page's fields; refused input comes back next to the fields, as typed."""
    a = actor(request)
    names = [name for name, _label, _kind in DEAL_FIELDS if name in request.POST]
    data = _form_data(request, names)
    try:
        services.update_deal(actor=a, deal_id=deal_id, data=data)
    except ServiceError as exc:
        errors = field_errors(exc)
        deal = selectors.get_deal(a, deal_id)
        context = _detail_context(request, deal, errors=errors, data=data)
        return render(request, "sales/deal_detail.html", context, status=422)
    messages.success(request, _("Saved."))
    return redirect("sales:deal", deal_id=deal_id)


@workspace_view
@require_POST
def deal_line_items(request: HttpRequest, deal_id: int) -> HttpResponse:
    """Add a line item (``action=add``) or remove one (``action=remove``, ``index``); the
    amount follows the items (``update_deal`` with the whole list)."""
    a = actor(request)
    deal = selectors.get_deal(a, deal_id)
    items = _line_items_input(deal)
    action = request.POST.get("action", "")
    new_item: dict[str, Any] = {}
    if action == "remove":
        index = _int(request.POST.get("index"))
        if index is None or index >= len(items):
            messages.error(request, _("This line item no longer exists."))
            return redirect("sales:deal", deal_id=deal.pk)
        del items[index]
    else:
        new_item = {name: request.POST.get(name, "").strip() for name in LINE_ITEM_FIELDS}
        product_id = _int(request.POST.get("product_id"))
        entry: dict[str, Any] = {k: v for k, v in new_item.items() if v != ""}
        if product_id is not None:
            entry["product_id"] = product_id
        items.append(entry)
    try:
        services.update_deal(actor=a, deal_id=deal.pk, data={"line_items": items})
    except ServiceError as exc:
        prefix = f"line_items.{len(items) - 1}." if action != "remove" else "\0"
        item_errors: dict[str, list[str]] = {}
        for key, found in field_errors(exc).items():
            name = key.removeprefix(prefix) if key.startswith(prefix) else ""
            item_errors.setdefault(name, []).extend(found)
        context = _detail_context(
            request,
            selectors.get_deal(a, deal.pk),
            item_errors=item_errors,
            new_item=new_item,
            product_id=request.POST.get("product_id"),
        )
        return render(request, "sales/deal_detail.html", context, status=422)
    messages.success(request, _("Line items saved."))
    return redirect("sales:deal", deal_id=deal.pk)
