"""The people and company screens: tables with search, filters and bulk actions; the 360° page."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vinculo.contacts import duplicate_check, selectors, services
from vinculo.contacts.contract import COMPANY, PERSON
from vinculo.contacts.models import Channel, ConsentMethod, ConsentStatus, LegalBasis
from vinculo.core import pickers, record_pages, record_views, tables
from vinculo.core.errors import ServiceError
from vinculo.core.exports import ExportSpec, export_response
from vinculo.core.filters import parse_filter_param
from vinculo.core.pagination import paginate
from vinculo.core.permissions import can
from vinculo.core.ui import (
    actor,
    field_errors,
    is_htmx,
    posted_tags_and_custom_fields,
    safe_next,
    timeline_context,
    workspace_view,
)
from vinculo.workspaces.selectors import members

PAGE_SIZE = 50


# The fields the screens ask for, labelled by the write contract (vinculo.contacts.contract).
PERSON_FORM_FIELDS = PERSON.form_fields(
    "first_name", "last_name", "email", "phone", "mobile_phone", "cpf", "job_title", "source",
    "city", "state",
)  # fmt: skip
# The new-person form also asks for what tells two namesakes apart (the duplicate check and the
# matcher read them): a birth date and the street address.
PERSON_NEW_FIELDS = PERSON.form_fields(
    "first_name", "last_name", "birth_date", "email", "phone", "mobile_phone", "cpf",
    "job_title", "source", "street", "number", "postal_code", "city", "state",
)  # fmt: skip
COMPANY_FORM_FIELDS = COMPANY.form_fields(
    "name", "legal_name", "cnpj", "website", "email", "phone", "industry", "city", "state"
)


QUICK_KEYS = ("lifecycle_stage", "owner_id", "tag")


def _list_params(
    request: HttpRequest, state: Any = None, source: Any = None, *, object_type: str = "person"
) -> dict[str, Any]:
    """The people or company table's parameters: search, filter, sort and columns from
    ``state`` (the address or a saved view), the toolbar's quick filters from ``source`` (the
    address or a posted form)."""
    source = request.GET if source is None else source
    if state is None:
        state = tables.table_state(request, object_type, source=source)
    return {
        "q": state.q,
        "filter": state.filter,
        "sort": state.sort or "-created_at",
        "lifecycle_stage": source.get("lifecycle_stage", ""),
        "owner_id": source.get("owner_id", ""),
        "tag": source.get("tag", ""),
        "deleted": source.get("deleted") == "1",
    }


def _quick_filters(params: dict[str, Any]) -> list[dict[str, Any]]:
    """The toolbar's quick filters as conditions, so a saved view keeps them."""
    conditions: list[dict[str, Any]] = []
    if params["lifecycle_stage"]:
        conditions.append(
            {"field": "lifecycle_stage", "op": "eq", "value": params["lifecycle_stage"]}
        )
    if params["owner_id"].isdigit():
        conditions.append({"field": "owner", "op": "eq", "value": int(params["owner_id"])})
    if params["tag"]:
        conditions.append({"field": "tags", "op": "has_any", "value": [params["tag"]]})
    return conditions


def _tree(raw: str) -> Any:
    if not raw:
        return None
    return parse_filter_param(raw)


def _records(request: HttpRequest, params: dict[str, Any], object_type: str = "person") -> Any:
    """The people (or companies) the table's parameters select, through the list selector."""
    owner = params["owner_id"]
    select = selectors.people if object_type == "person" else selectors.companies
    return select(
        actor(request),
        q=params["q"] or None,
        filter=_tree(params["filter"]),
        lifecycle_stage=params["lifecycle_stage"] or None,
        owner_id=int(owner) if owner.isdigit() else None,
        tag=params["tag"] or None,
        deleted=params["deleted"],
    )


def _common_context(request: HttpRequest) -> dict[str, Any]:
    a = actor(request)
    return {
        "stages": selectors.lifecycle_stages(a),
        "owners": [m.user for m in members(a)],
        "can_write": can(a, "records.write"),
        "can_delete": can(a, "records.delete"),
        "can_export": can(a, "data.export"),
    }


def _tag_names(request: HttpRequest) -> list[str]:
    return list(selectors.tags(actor(request)).values_list("name", flat=True)[:500])


def _table_page(
    request: HttpRequest, qs: Any, params: dict[str, Any], sorts: tuple[str, ...], state: Any
) -> tuple[Any, int | None, str | None]:
    """One page of ``qs`` (with the owners when that column shows), the number of matching
    rows, or the filter's error message instead."""
    try:
        sort = selectors.check_sort(params["sort"], sorts)
        if "owner" in state.column_set:
            qs = qs.select_related("owner")
        page = paginate(qs, cursor=request.GET.get("cursor"), limit=PAGE_SIZE, order=sort)
        total = None if request.GET.get("cursor") else qs.count()
    except ServiceError as exc:
        return None, None, exc.detail
    return page, total, None


@workspace_view
def people_list(request: HttpRequest) -> HttpResponse:
    """``/people/``: the people table (search, filter builder, columns, saved views, bulk);
    POST saves, renames, shares or deletes a saved view."""
    list_url = reverse("contacts:people")
    if request.method == "POST":
        params = _list_params(request, source=tables.posted_state(request.POST))
        return tables.handle_view_post(
            request, "person", list_url=list_url, quick_filters=_quick_filters(params)
        )
    state = tables.table_state(request, "person")
    params = _list_params(request, state)
    page, total, error = None, None, None
    try:
        qs = _records(request, params)
    except ServiceError as exc:
        error = exc.detail
    else:
        page, total, error = _table_page(request, qs, params, selectors.PERSON_SORTS, state)
    tag_names = _tag_names(request)
    context = {
        "page": page,
        "total": total,
        "params": params,
        "error": error,
        **_common_context(request),
        "querystring": request.GET.urlencode(),
        "tag_names": tag_names,
        "quick_keys": QUICK_KEYS,
        **tables.table_context(request, state, list_url=list_url, tags=tag_names),
    }
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "contacts/_people_rows.html", context)
    if is_htmx(request) and request.headers.get("HX-Target") == "people-results":
        return render(request, "contacts/_people_results.html", context)
    return render(request, "contacts/people_list.html", context)


@workspace_view
def people_export(request: HttpRequest) -> HttpResponseBase:
    """The current view (search, filter, quick filters, sort, chosen columns) as CSV or XLSX
    (``format=xlsx``) through the one export service; large exports run in the background."""
    return _export(request, "person", _list_params, reverse("contacts:people"))


@workspace_view
def company_export(request: HttpRequest) -> HttpResponseBase:
    """The company table's current view as CSV or XLSX, like :func:`people_export`."""
    return _export(
        request,
        "company",
        partial(_list_params, object_type="company"),
        reverse("contacts:companies"),
    )


def _export(request: HttpRequest, object_type: str, params_of: Any, back: str) -> HttpResponseBase:
    state = tables.table_state(request, object_type)
    params = params_of(request, state)
    try:
        tree = tables.fold(_tree(params["filter"]), _quick_filters(params))
    except ServiceError as exc:
        messages.error(request, exc.detail)
        return redirect(back)
    # The table's columns when the address or the view chose them; else every column.
    chosen = state.column_keys or None
    spec = ExportSpec(
        object_type=object_type,
        filter=tree,
        q=params["q"],
        sort=params["sort"],
        columns=[c.key for c in state.columns] if chosen else None,
        deleted=params["deleted"],
    )
    return export_response(request, spec, back=back)


def _bulk_update(a: Any, update: Any, get: Any, key: str) -> Any:
    """``apply(pk, action, value)`` for :func:`vinculo.core.tables.run_bulk` over one kind of
    record, through the record's own services."""

    def apply(pk: int, action: str, value: str) -> None:
        if action == "delete":
            getattr(services, f"delete_{key}")(actor=a, **{f"{key}_id": pk})
        elif action == "owner":
            if value and not value.isdigit():
                raise ValueError(_("Choose a member."))
            update(actor=a, **{f"{key}_id": pk}, data={"owner_id": int(value) if value else None})
        elif action == "lifecycle":
            update(actor=a, **{f"{key}_id": pk}, data={"lifecycle_stage": value or None})
        elif action == "tag":
            record = get(a, pk)
            names = sorted({t.name for t in record.tags.all()} | {value})
            update(actor=a, **{f"{key}_id": pk}, data={"tags": names})

    return apply


@workspace_view
@require_POST
def people_bulk(request: HttpRequest) -> HttpResponse:
    """Apply one action to the selected people, or to every person the table's filter matches
    (``scope=all``): tag, owner, lifecycle stage or move to the bin."""
    a = actor(request)
    params = _list_params(request, source=tables.posted_state(request.POST))
    tables.run_bulk(
        request,
        apply=_bulk_update(a, services.update_person, selectors.get_person, "person"),
        matching=lambda: _records(request, params),
        noun=lambda n: ngettext("person", "people", n),
    )
    return redirect(safe_next(request, referer=False, default=reverse("contacts:people")))


def _form_data(request: HttpRequest, fields: list[tuple[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {name: request.POST.get(name, "") for name, _label in fields}
    for extra in ("owner_id", "lifecycle_stage"):
        if extra in request.POST:
            data[extra] = request.POST.get(extra) or None
    data.update(posted_tags_and_custom_fields(request))
    return data


def _custom_defs(request: HttpRequest, object_type: str) -> list[Any]:
    return list(selectors.custom_fields(actor(request), object_type=object_type))


@workspace_view
def person_create(request: HttpRequest) -> HttpResponse:
    """A new person; stops at a warning (with links) when the email, phone or CPF is taken or
    the matcher finds the person probably there already."""
    a = actor(request)
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    duplicates = None
    if request.method == "POST":
        data = _form_data(request, PERSON_NEW_FIELDS)
        company_id = request.POST.get("company_id", "")
        if company_id.isdigit():
            data["companies"] = [
                {"company_id": int(company_id), "role": request.POST.get("company_role", "")}
            ]
        duplicates = duplicate_check.duplicate_warning(request, "person", data)
        if not duplicate_check.needs_confirmation(request, duplicates):
            try:
                person = services.create_person(actor=a, data=data)
            except ServiceError as exc:
                errors = field_errors(exc)
            else:
                messages.success(request, _("%(name)s was added.") % {"name": person.full_name})
                return redirect("contacts:person", person_id=person.pk)
    return render(
        request,
        "contacts/person_form.html",
        {
            "fields": PERSON_NEW_FIELDS,
            "check_fields": duplicate_check.CHECK_TRIGGERS["person"],
            "data": data,
            "errors": errors,
            **duplicate_check.confirm_context(request, duplicates),
            "custom_defs": _custom_defs(request, "person"),
            **_common_context(request),
            "company": pickers.picked(
                a, "company", request.POST.get("company_id") or request.GET.get("company")
            ),
        },
        status=422 if errors else 200,
    )


@workspace_view
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    a = actor(request)
    person = selectors.get_person(a, person_id)
    if is_htmx(request) and request.GET.get("cursor"):
        return render(
            request,
            "contacts/_timeline_entries.html",
            timeline_context(request, person_id=person.pk),
        )
    # A read that writes, on purpose and only when the workspace turned the access log on.
    record_views.viewed(a, "person", person.pk, via="page")
    current, history = selectors.consents(a, person.pk)
    context = {
        "person": person,
        "consents": current,
        "consent_history": history,
        # Other apps' panels: the deals card (sales), open tasks (activities)…
        **record_pages.context_for("person", request, a, person, person.deleted_at is None),
        **timeline_context(request, person_id=person.pk),
        "custom_defs": _custom_defs(request, "person"),
        "fields": PERSON_FORM_FIELDS,
        "channels": Channel.choices,
        "consent_statuses": ConsentStatus.choices,
        "legal_bases": LegalBasis.choices,
        "consent_methods": ConsentMethod.choices,
        "errors": {},
        **_common_context(request),
    }
    return render(request, "contacts/person_detail.html", context)


@workspace_view
@require_POST
def person_update(request: HttpRequest, person_id: int) -> HttpResponse:
    """Save the edited fields of the 360° page; errors come back next to the fields."""
    a = actor(request)
    data = _form_data(request, [f for f in PERSON_FORM_FIELDS if f[0] in request.POST])
    try:
        services.update_person(actor=a, person_id=person_id, data=data)
    except ServiceError as exc:
        person = selectors.get_person(a, person_id)
        for name, value in data.items():
            if name in dict(PERSON_FORM_FIELDS):
                setattr(person, name, value)
        return render(
            request,
            "contacts/_person_fields.html",
            {
                "person": person,
                "errors": field_errors(exc),
                "fields": PERSON_FORM_FIELDS,
                "custom_defs": _custom_defs(request, "person"),
                "posted": data,
                "editing": True,
                **_common_context(request),
            },
            status=422,
        )
    if is_htmx(request):
        return render(
            request,
            "contacts/_person_fields.html",
            {
                "person": selectors.get_person(a, person_id),
                "errors": {},
                "fields": PERSON_FORM_FIELDS,
                "custom_defs": _custom_defs(request, "person"),
                "saved": True,
                **_common_context(request),
            },
        )
    return redirect("contacts:person", person_id=person_id)


@workspace_view
@require_POST
def person_consent(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        services.set_consent(
            actor=actor(request),
            person_id=person_id,
            data={
                k: request.POST.get(k, "")
                for k in ("channel", "status", "legal_basis", "method", "evidence")
            },
        )
        messages.success(request, _("Consent recorded."))
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("contacts:person", person_id=person_id)


@workspace_view
@require_POST
def person_delete(request: HttpRequest, person_id: int) -> HttpResponse:
    services.delete_person(actor=actor(request), person_id=person_id)
    messages.success(request, _("Moved to the bin. You can restore it from the bin."))
    return redirect("contacts:people")


@workspace_view
@require_POST
def person_restore(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        services.restore_person(actor=actor(request), person_id=person_id)
        messages.success(request, _("Restored."))
    except ServiceError as exc:
        messages.error(request, exc.detail)
    return redirect("contacts:person", person_id=person_id)


# --- companies ------------------------------------------------------------------------------


@workspace_view
def company_list(request: HttpRequest) -> HttpResponse:
    """``/companies/``: the company table like the people one. POST with ``action`` applies a
    bulk action (to the selection or ``scope=all``); with ``view_action`` it changes a saved
    view."""
    list_url = reverse("contacts:companies")
    if request.method == "POST":
        params = _list_params(
            request, source=tables.posted_state(request.POST), object_type="company"
        )
        if "view_action" in request.POST:
            return tables.handle_view_post(
                request, "company", list_url=list_url, quick_filters=_quick_filters(params)
            )
        a = actor(request)
        tables.run_bulk(
            request,
            apply=_bulk_update(a, services.update_company, selectors.get_company, "company"),
            matching=lambda: _records(request, params, "company"),
            noun=lambda n: ngettext("company", "companies", n),
        )
        return redirect(safe_next(request, referer=False, default=list_url))
    state = tables.table_state(request, "company")
    params = _list_params(request, state, object_type="company")
    page, total, error = None, None, None
    try:
        qs = _records(request, params, "company")
    except ServiceError as exc:
        error = exc.detail
    else:
        page, total, error = _table_page(request, qs, params, selectors.COMPANY_SORTS, state)
    tag_names = _tag_names(request)
    context = {
        "page": page,
        "total": total,
        "params": params,
        "error": error,
        **_common_context(request),
        "tag_names": tag_names,
        "quick_keys": QUICK_KEYS,
        **tables.table_context(request, state, list_url=list_url, tags=tag_names),
    }
    if is_htmx(request) and request.GET.get("cursor"):
        return render(request, "contacts/_company_rows.html", context)
    if is_htmx(request) and request.headers.get("HX-Target") == "company-results":
        return render(request, "contacts/_company_results.html", context)
    return render(request, "contacts/company_list.html", context)


@workspace_view
def company_create(request: HttpRequest) -> HttpResponse:
    """A new company; a taken CNPJ is refused, with a link to the company that has it; a
    company the matcher finds probably there already stops at a warning ("Save anyway")."""
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    duplicates = None
    if request.method == "POST":
        data = _form_data(request, COMPANY_FORM_FIELDS)
        duplicates = duplicate_check.duplicate_warning(request, "company", data)
        if not duplicate_check.needs_confirmation(request, duplicates):
            try:
                company = services.create_company(actor=actor(request), data=data)
            except ServiceError as exc:
                errors = field_errors(exc)
            else:
                messages.success(request, _("%(name)s was added.") % {"name": company.name})
                return redirect("contacts:company", company_id=company.pk)
    return render(
        request,
        "contacts/company_form.html",
        {
            "fields": COMPANY_FORM_FIELDS,
            "check_fields": duplicate_check.CHECK_TRIGGERS["company"],
            "data": data,
            "errors": errors,
            **duplicate_check.confirm_context(request, duplicates),
            "custom_defs": _custom_defs(request, "company"),
            **_common_context(request),
        },
        status=422 if errors else 200,
    )


@workspace_view
def company_detail(request: HttpRequest, company_id: int) -> HttpResponse:
    a = actor(request)
    company = selectors.get_company(a, company_id)
    if is_htmx(request) and request.GET.get("cursor"):
        return render(
            request,
            "contacts/_timeline_entries.html",
            timeline_context(request, company_id=company.pk),
        )
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = _form_data(request, [f for f in COMPANY_FORM_FIELDS if f[0] in request.POST])
        try:
            services.update_company(actor=a, company_id=company.pk, data=data)
            messages.success(request, _("Saved."))
            return redirect("contacts:company", company_id=company.pk)
        except ServiceError as exc:
            errors = field_errors(exc)
            for name, value in data.items():
                if name in dict(COMPANY_FORM_FIELDS):
                    setattr(company, name, value)
    return render(
        request,
        "contacts/company_detail.html",
        {
            "company": company,
            "people": selectors.company_people(a, company.pk),
            # Other apps' panels: the deals card (sales)…
            **record_pages.context_for("company", request, a, company, company.deleted_at is None),
            **timeline_context(request, company_id=company.pk),
            "errors": errors,
            "fields": COMPANY_FORM_FIELDS,
            "custom_defs": _custom_defs(request, "company"),
            **_common_context(request),
        },
        status=422 if errors else 200,
    )
