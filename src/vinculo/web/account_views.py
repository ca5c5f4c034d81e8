"""The account's password screens: change (also forced after a one-time password) and reset
by email (Django's token views in our layout, sent through SMTP)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from vinculo.core.tenancy import User
from vinculo.workspaces import services


class _ServiceSave:
    """Save through :func:`services.set_user_password`, which also ends a one-time password."""

    user: Any
    cleaned_data: dict[str, Any]

    def save(self, commit: bool = True) -> User:
        user: User = self.user
        return services.set_user_password(user=user, password=self.cleaned_data["new_password1"])


class PasswordChangeForm(_ServiceSave, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(_ServiceSave, auth_forms.SetPasswordForm):
    pass


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's password; the screen every page leads to while a one-time password is in
    use. Stays signed in (the session hash is updated)."""

    template_name = "web/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("web:home")

    def form_valid(self, form: auth_forms.PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Your password was changed."))
        return response


def _email_disabled(request: HttpRequest) -> HttpResponse:
    return render(request, "web/password_reset_unavailable.html", status=404)


class PasswordResetView(auth_views.PasswordResetView):
    """Ask for a reset link: the same answer whether or not the address has an account."""

    template_name = "web/password_reset.html"
    email_template_name = "web/email/password_reset.txt"
    subject_template_name = "web/email/password_reset_subject.txt"
    success_url = reverse_lazy("web:password_reset_done")

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.EMAIL_ENABLED:
            return _email_disabled(request)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: auth_forms.PasswordResetForm) -> HttpResponse:
        # Links are built on BASE_URL, never on the request's Host header.
        self.extra_email_context = {"base_url": settings.BASE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "web/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "web/password_reset_confirm.html"
    form_class = SetPasswordForm
    success_url = reverse_lazy("web:password_reset_complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "web/password_reset_complete.html"
