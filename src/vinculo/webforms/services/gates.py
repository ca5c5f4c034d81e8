"""The public side before a post is taken: the active form by its key, the signed render
token, the keyed IP hash, and the spam gates (rate limits, honeypot, token) that keep a refused
post as a ``spam`` submission."""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import transaction
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from vinculo.core.errors import ValidationFailed
from vinculo.webforms import ratelimit
from vinculo.webforms.models import Submission, SubmissionStatus, WebForm
from vinculo.webforms.services.errors import FormClosed, RateLimited, SpamRefused
from vinculo.webforms.services.forms import MAX_FIELDS

logger = logging.getLogger(__name__)

# The honeypot: a field people never see; bots fill it.
HONEYPOT = "_website"
TOKEN_SALT = "vinculo.webforms.render"  # noqa: S105 (a signing salt, not a secret)
# A rendered form stays valid this long (seconds); an older token is refused as stale.
TOKEN_MAX_AGE = 24 * 3600
VISITOR_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def public_form(key: str) -> WebForm:
    """The active form with public key ``key``, else :class:`FormClosed`."""
    form = (
        WebForm.objects.select_related("workspace").filter(public_key=key, is_active=True).first()
    )
    if form is None:
        raise FormClosed(_("This form does not exist or no longer accepts answers."))
    return form


def render_token(form: WebForm, *, now: float | None = None) -> str:
    """The signed token rendered into the form: which form, and when it was shown."""
    issued = time.time() if now is None else now
    return signing.dumps({"f": form.public_key, "t": round(issued, 3)}, salt=TOKEN_SALT)


def ip_hash(workspace_id: int, ip: str | None) -> str:
    """A keyed hash of the IP (per workspace, never reversible without the secret key)."""
    if not ip:
        return ""
    return salted_hmac("vinculo.webforms.ip", f"{workspace_id}:{ip}").hexdigest()[:32]


@dataclass
class SubmitMeta:
    """Where a post came from: the edges fill it from the request."""

    ip: str | None = None
    user_agent: str = ""
    page_url: str = ""


@dataclass
class Posted:
    """A post in the service's shape (form-encoded and JSON edges both build this)."""

    values: dict[str, Any] = field(default_factory=dict)
    consent: bool = False
    token: str = ""
    honeypot: str = ""
    visitor_id: str = ""


def _record_spam(form: WebForm, posted: Posted, meta: SubmitMeta, reason: str) -> Submission:
    logger.warning("web form %s: refused a submission as spam (%s)", form.pk, reason)
    return Submission.objects.create(
        workspace_id=form.workspace_id,
        form=form,
        status=SubmissionStatus.SPAM,
        reason=reason,
        data={k: str(v)[:500] for k, v in list(posted.values.items())[:MAX_FIELDS]},
        ip_hash=ip_hash(form.workspace_id, meta.ip),
        user_agent=meta.user_agent[:300],
        visitor_id=posted.visitor_id if VISITOR_ID.match(posted.visitor_id or "") else "",
        page_url=meta.page_url[:500],
    )


def check_rate(form: WebForm, meta: SubmitMeta, posted: Posted) -> None:
    """Count this post against the per-IP and per-form limits; refuse (429) when over.

    Only the first refused post of a window is stored as spam, so a flood cannot fill the table.
    """
    hashed = ip_hash(form.workspace_id, meta.ip) or "unknown"
    checks = [
        (f"form:{form.pk}:ip:{hashed}", ratelimit.limit("WEBFORMS_RATE_PER_IP")),
        (f"form:{form.pk}", ratelimit.limit("WEBFORMS_RATE_PER_FORM")),
    ]
    outcomes: list[tuple[ratelimit.Outcome, ratelimit.Limit]] = []
    with transaction.atomic():  # one commit for both counters
        for bucket, rule in checks:
            outcomes.append((ratelimit.hit(form.workspace_id, bucket, rule), rule))
            # A refused IP does not use up the form's allowance (one IP cannot block the form).
            if not outcomes[-1][0].allowed:
                break
    for outcome, rule in outcomes:
        if not outcome.allowed:
            if outcome.hits == rule.hits + 1:
                _record_spam(form, posted, meta, "rate_limited")
            raise RateLimited(
                _("Too many submissions: wait %(n)s seconds and send again.")
                % {"n": outcome.retry_after},
                retry_after=outcome.retry_after,
            )


def check_spam(
    form: WebForm, posted: Posted, meta: SubmitMeta, *, now: float | None = None
) -> None:
    """The honeypot and the render token. A missing token is a :class:`ValidationFailed` on
    ``token`` (a page without our script: the hosted page asks to confirm); a filled honeypot, a
    forged, stale or too fresh token is :class:`SpamRefused` and stored as spam."""
    if posted.honeypot.strip():
        _record_spam(form, posted, meta, "honeypot")
        raise SpamRefused(
            _("Your submission looks automated and was not accepted."), reason="honeypot"
        )
    if not posted.token:
        raise ValidationFailed.field(
            "token",
            _("Please check your details and send the form again."),
            "token_missing",
        )
    now = time.time() if now is None else now
    try:
        payload = signing.loads(posted.token, salt=TOKEN_SALT)
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("f") != form.public_key:
        _record_spam(form, posted, meta, "forged_token")
        raise SpamRefused(
            _("This form could not be verified: reload the page and send it again."),
            reason="forged_token",
        )
    if now - float(payload.get("t") or 0) > TOKEN_MAX_AGE:
        _record_spam(form, posted, meta, "stale_token")
        raise SpamRefused(
            _("This form has expired: reload the page and send it again."), reason="stale_token"
        )
    elapsed = now - float(payload.get("t") or 0)
    if elapsed < form.min_seconds:
        _record_spam(form, posted, meta, "too_fast")
        raise SpamRefused(
            _("That was too fast: take a moment to check your details, then send again."),
            reason="too_fast",
        )
