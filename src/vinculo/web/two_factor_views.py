"""Two-factor sign-in screens: set up an authenticator app (QR code made locally, backup codes),
enter a code after the password, and the owner's switch that makes it mandatory."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from vinculo.core.errors import ServiceError
from vinculo.core.tenancy import User
from vinculo.core.ui import actor, field_errors, safe_next, workspace_view
from vinculo.workspaces import services, two_factor


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@never_cache
@login_required
def setup(request: HttpRequest) -> HttpResponse:
    """Scan the QR code, confirm with a code; the backup codes are shown once."""
    user = _user(request)
    enrolled = two_factor.has_device(user)
    if request.method == "POST" and request.POST.get("action") == "remove":
        if enrolled and not request.user.is_verified():  # type: ignore[union-attr]
            return redirect("web:two_factor_verify")
        two_factor.remove_devices(user=user)
        two_factor.remember(request, enrolled=False)
        messages.success(request, _("Two-factor sign-in is off."))
        return redirect("web:two_factor_setup")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        if enrolled and not request.user.is_verified():  # type: ignore[union-attr]
            return redirect("web:two_factor_verify")
        try:
            codes = two_factor.confirm_device(user=user, code=request.POST.get("code", ""))
        except ServiceError as exc:
            errors = field_errors(exc)
        else:
            device = user.totpdevice_set.filter(confirmed=True).first()  # type: ignore[attr-defined]
            otp_login(request, device)
            two_factor.remember(request, enrolled=True)
            return render(request, "web/two_factor_codes.html", {"codes": codes})
    device = two_factor.pending_device(user)
    context = {
        "enrolled": enrolled and not request.GET.get("again"),
        "qr": two_factor.qr_svg(device),
        "secret": two_factor.secret_text(device),
        "errors": errors,
    }
    return render(request, "web/two_factor_setup.html", context, status=422 if errors else 200)


@never_cache
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in: a code from the app, or a backup code."""
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            device = two_factor.verify_code(user=_user(request), code=request.POST.get("code", ""))
        except ServiceError as exc:
            errors = field_errors(exc)
        else:
            otp_login(request, device)
            return redirect(safe_next(request, "/", referer=False))
    return render(
        request, "web/two_factor_verify.html", {"errors": errors}, status=422 if errors else 200
    )


@workspace_view
@require_POST
def workspace_switch(request: HttpRequest) -> HttpResponse:
    """An owner makes two-factor sign-in mandatory for the workspace's members (or not)."""
    required = request.POST.get("require_two_factor") == "on"
    services.update_workspace(actor=actor(request), data={"require_two_factor": required})
    if required:
        messages.success(request, _("Members now need two-factor sign-in."))
    else:
        messages.success(request, _("Two-factor sign-in is now optional."))
    return redirect("web:settings:workspace")
