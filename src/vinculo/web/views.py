"""The login pages, the application shell and the health endpoint."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, trans_real
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from vinculo.activities import selectors as activity_selectors
from vinculo.core import kpis, pickers
from vinculo.core.actor import Actor
from vinculo.core.errors import ValidationFailed
from vinculo.core.filters.context import workspace_today
from vinculo.core.formats import format_money, format_money_compact
from vinculo.core.health import run_checks
from vinculo.core.permissions import can
from vinculo.core.tenancy import User
from vinculo.core.ui import actor, is_htmx, safe_next, workspace_view
from vinculo.insights import presenting
from vinculo.insights.dashboards import selectors as dashboard_selectors
from vinculo.sales import selectors as sales_selectors
from vinculo.web import selectors
from vinculo.workspaces import services
from vinculo.workspaces.middleware import SESSION_WORKSPACE_KEY
from vinculo.workspaces.selectors import actor_for

HOME_TASKS = 15


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": gettext_lazy("Wrong email or password. Both are case-sensitive."),
        "inactive": gettext_lazy("This account is inactive."),
        "expired": gettext_lazy(
            "Your one-time password has expired. Reset your password, or ask an owner to "
            "invite you again."
        ),
    }

    def get_invalid_login_error(self) -> ValidationError:
        """Say so when the right one-time password is used after it expired."""
        email = (self.cleaned_data.get("username") or "").strip().lower()
        user = User.objects.filter(email=email).first()
        expires = user.password_expires_at if user is not None else None
        password = self.cleaned_data.get("password") or ""
        if user and expires and expires <= timezone.now() and user.check_password(password):
            return ValidationError(self.error_messages["expired"], code="expired")
        return super().get_invalid_login_error()


class LoginView(auth_views.LoginView):
    template_name = "web/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("web:login")


@workspace_view
def home(request: HttpRequest) -> HttpResponse:
    """My day: tasks due today or late, my deals going stale, what happened lately, counters."""
    a = actor(request)
    me = a.user.pk if a.user is not None else None
    now = timezone.now()
    due = (
        activity_selectors.my_tasks(a, when="overdue", now=now)
        | activity_selectors.my_tasks(a, when="today", now=now)
    ).select_related("person", "company", "deal")
    totals = sales_selectors.open_deal_totals(a, owner_id=me)
    everyone = can(a, "records.delete")
    context = {
        "tasks": list(due.defer("body").order_by("due_at", "pk")[:HOME_TASKS]),
        "tasks_count": due.count(),
        "now": now,
        "can_complete": can(a, "activities.write"),
        "next_url": reverse("web:home"),
        "rotting": sales_selectors.rotting_deals(a, owner_id=me, now=now),
        "recent": activity_selectors.recent_timeline(
            a, owner_id=None if everyone else me, since=now - timedelta(days=30), limit=15
        ),
        "recent_everyone": everyone,
        "totals": totals,
        # the full amount, and a short one (R$ 2,16 mi) for the counter when it is large
        "totals_amount": format_money(totals.amount, totals.currency),
        "totals_short": format_money_compact(totals.amount, totals.currency),
        "home_kpis": _home_kpis(a) if can(a, "insights.view") else [],
        "home_dashboards": _home_dashboards(a) if can(a, "insights.view") else [],
    }
    return render(request, "web/home.html", context)


# The KPIs the home page shows for the last 30 days, against the 30 days before (Insights has
# them all); each opens its page.
HOME_KPIS = ("new_leads", "deals_won", "new_revenue", "win_rate")
HOME_DASHBOARDS = 6


def _home_dashboards(a: Actor) -> list[tuple[str, str]]:
    """Links to the dashboards the member sees (the workspace's defaults first), not their
    widgets: the home page stays one quick look."""
    found = dashboard_selectors.dashboards(a)[:HOME_DASHBOARDS]
    return [
        (reverse("insights:dashboard", args=[d.pk]), dashboard_selectors.name_of(d)) for d in found
    ]


def _home_kpis(a: Actor) -> list[dict[str, Any]]:
    today = workspace_today(a)
    cards = []
    for key in HOME_KPIS:
        kpi = kpis.get(key)
        if kpi is None:
            continue
        found = kpis.measure(key, kpis.Scope(actor=a), start=today - timedelta(days=29), end=today)
        cards.append(
            {
                "name": kpi.name,
                "value": presenting.shown(kpi, found.value, found.currency),
                "change": presenting.change_of(found),
                "url": reverse("insights:kpi", args=[key]),
            }
        )
    return cards


@workspace_view
@require_GET
def search(request: HttpRequest) -> HttpResponse:
    """The top bar's search: a dropdown of people, companies and deals as you type (htmx),
    a page of results otherwise; ``pick=1`` answers radio buttons for a record picker."""
    a = actor(request)
    # The top bar's box is named "find": pages have their own "q" search boxes.
    q = request.GET.get("q") or request.GET.get("find") or ""
    if is_htmx(request) and request.GET.get("pick"):  # the task form's picker: by index
        picks = {kind: pickers.pick(a, kind, q, limit=5) for kind in ("person", "company", "deal")}
        return render(request, "web/_search_pick.html", {"picks": picks, "q": q.strip()})
    if is_htmx(request):
        results = selectors.search(a, q, limit=5)
        return render(request, "web/_search_results.html", {"results": results})
    results = selectors.search(a, q, limit=20)
    return render(request, "web/search.html", {"results": results})


@workspace_view
@require_GET
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    """A record picker's options for what was typed (``q``): people, companies, deals or
    products of the workspace, a few at a time (htmx fills the picker's list)."""
    if kind not in pickers.pick_kinds():
        raise Http404
    q = request.GET.get("q", "")
    options = pickers.pick(actor(request), kind, q)
    return render(request, "web/_pick_options.html", {"options": options, "q": q.strip()})


@login_required
@require_POST
def switch_workspace(request: HttpRequest) -> HttpResponse:
    actor = actor_for(request.user, request.POST.get("workspace", ""))  # type: ignore[arg-type]
    if actor is None:
        messages.error(request, _("You are not a member of that workspace."))
    else:
        request.session[SESSION_WORKSPACE_KEY] = actor.workspace.pk
        messages.success(request, _("Now working in %(name)s.") % {"name": actor.workspace.name})
    return redirect("web:home")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the interface language; remembered on the user, or in a cookie before login."""
    language = request.POST.get("language", "")
    response = redirect(safe_next(request, "/"))
    try:
        if request.user.is_authenticated:
            services.set_user_language(user=request.user, language=language)
        elif language not in dict(trans_real.get_languages()):
            raise ValidationFailed.field("language", _("Unsupported language."))
    except ValidationFailed as exc:
        messages.error(request, exc.detail)
        return response
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: 200 when the database, migrations and task queue are fine, else 503."""
    checks = run_checks()
    ok = all(c.ok for c in checks)
    body = {
        "status": "ok" if ok else "unhealthy",
        "checks": {c.name: {"ok": c.ok, "detail": c.detail, **c.data} for c in checks},
    }
    return JsonResponse(body, status=200 if ok else 503)
