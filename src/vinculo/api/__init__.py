"""The API root at ``/api/v1/``: authentication, problem responses, every app's router."""

from __future__ import annotations

import json
import logging
from typing import Any

from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Swagger
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError

from vinculo.activities.api import router as activities_router
from vinculo.activities.report_api import router as activity_reports_router
from vinculo.api.input import InputParser
from vinculo.api.openapi import ProblemAPI
from vinculo.contacts.api import router as contacts_router
from vinculo.core.api import router as core_router
from vinculo.core.currency_api import router as currency_router
from vinculo.core.errors import ServiceError, problem
from vinculo.core.kpis.api import router as kpis_router
from vinculo.core.notifications_api import router as notifications_router
from vinculo.events.api import router as events_router
from vinculo.events.report_api import router as cohort_reports_router
from vinculo.events.value_api import router as customer_value_router
from vinculo.events.value_tiers_api import router as customer_tiers_router
from vinculo.insights.adoption_api import router as adoption_router
from vinculo.insights.dashboards.api import router as dashboards_router
from vinculo.integrations.webhook_api import router as webhooks_router
from vinculo.privacy.api import router as privacy_router
from vinculo.quality.api import router as quality_router
from vinculo.sales.api import router as sales_router
from vinculo.scoring.api import router as scoring_router
from vinculo.strategy.gap_api import router as gaps_router
from vinculo.strategy.glossary_api import router as glossary_router
from vinculo.strategy.goals.api import router as goals_router
from vinculo.strategy.plan.api import router as plan_router
from vinculo.strategy.reviews.api import router as reviews_router
from vinculo.strategy.starters.api import router as starters_router
from vinculo.strategy.touchpoint_api import router as touchpoints_router
from vinculo.webforms.api import router as webforms_router
from vinculo.workspaces.api import router as workspaces_router
from vinculo.workspaces.api_auth import TokenAuth, WorkspaceSessionAuth


class ApiDocs(Swagger):
    """Swagger UI from django-ninja's bundled static files ("ninja" is an installed app) in our
    page: a phone viewport and our favicon; no validator badge (it calls validator.swagger.io)."""

    template = "web/api_docs.html"


logger = logging.getLogger(__name__)

api = ProblemAPI(
    title="Vínculo API",
    version="1",
    description=(
        "The Vínculo CRM API. Authenticate with `Authorization: Bearer <token>` (tokens are "
        "scoped to one workspace) or the web session. Errors are RFC 9457 problem documents "
        "with a field-level `errors` list. Lists use cursor pagination (`cursor`, `limit`)."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), WorkspaceSessionAuth()],
    docs_url="/docs",
    docs=ApiDocs(settings={"validatorUrl": None}),
    openapi_url="/openapi.json",
    parser=InputParser(),
)


def problem_response(
    status: int, title: str, detail: str, *, type_slug: str, errors: Any = (), **headers: str
) -> HttpResponse:
    body = problem(status, title, detail, type_slug=type_slug, errors=errors)
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


@api.exception_handler(ServiceError)
def _service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    return problem_response(
        exc.status,
        exc.title,
        exc.detail,
        type_slug=exc.type_slug,
        errors=[e.as_dict() for e in exc.errors],
    )


def _field_path(loc: list[Any]) -> str:
    # ninja locations look like ["body", "payload", "email"] or ["query", "limit"]
    parts = [str(p) for p in loc]
    if parts and parts[0] == "body":
        parts = parts[2:] if len(parts) > 2 else parts[1:]
    elif parts and parts[0] in {"query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [
        {
            "field": _field_path(list(e.get("loc", []))),
            "message": e.get("msg", ""),
            "code": e.get("type", "invalid"),
        }
        for e in exc.errors
    ]
    detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or _("Invalid request.")
    return problem_response(
        422, "Validation failed", detail, type_slug="validation-failed", errors=errors
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return problem_response(
        401,
        "Unauthorized",
        _("Send a valid, unrevoked API token as 'Authorization: Bearer <token>', or sign in."),
        type_slug="unauthorized",
        WWW_Authenticate='Bearer realm="vinculo"',
    )


@api.exception_handler(AuthorizationError)
def _forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return problem_response(403, "Permission denied", str(exc), type_slug="permission-denied")


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, "Not found", str(exc) or _("Not found."), type_slug="not-found")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ServiceError):  # refused by InputParser while reading a body
        return _service_error(request, exc.__cause__)
    return problem_response(exc.status_code, "Error", str(exc), type_slug="http-error")


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def _out_of_range(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The last resort for a value the database cannot hold that no schema or cleaner caught
    (each such case is a defect to fix where the value comes in): a 400, not a 500."""
    logger.warning("Input out of range on %s %s: %s", request.method, request.path, exc)
    return problem_response(
        400,
        "Bad request",
        _("A value in the request is out of the range the server can store."),
        type_slug="out-of-range",
    )


def api_not_found(request: HttpRequest) -> HttpResponse:
    """Any other URL under ``/api/``: 404 as a problem document (an id the path does not
    accept, like ``/api/v1/people/-1``, an unknown route)."""
    return problem_response(
        404, "Not found", _("No API operation answers this URL."), type_slug="not-found"
    )


# Every app's router, mounted under /api/v1/ in this order (the OpenAPI document's order).
for _router in (
    workspaces_router,
    core_router,
    kpis_router,
    currency_router,
    dashboards_router,
    contacts_router,
    sales_router,
    activities_router,
    activity_reports_router,
    adoption_router,
    quality_router,
    events_router,
    cohort_reports_router,
    customer_value_router,
    customer_tiers_router,
    scoring_router,
    reviews_router,
    starters_router,
    webforms_router,
    webhooks_router,
    privacy_router,
    gaps_router,
    touchpoints_router,
    glossary_router,
    plan_router,
    notifications_router,
    goals_router,
):
    api.add_router("/", _router)
