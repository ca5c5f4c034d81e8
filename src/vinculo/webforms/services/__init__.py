"""Writes of web forms: defining forms, and taking a public submission.

A submission goes through the spam gates first (rate limit per IP and per form, honeypot, a signed
render token that must be neither forged, stale nor too fresh); a refused post is kept as a
``spam`` submission and answered with a clear message. A good post then creates or updates the
person through the contacts services (the product's own validation and entry rules), records
consent, tags, a timeline entry, the ``form.submitted`` domain event and a ``form_submitted``
tracked event, and links the visitor's earlier page views, all in one transaction.

The modules, each importing only those above it: ``errors`` (the public side's refusals),
``forms`` (defining forms), ``stats`` (daily counters), ``gates`` (the form by key, the render
token, the spam gates), ``submission`` (taking a post).
"""

from vinculo.webforms.services.errors import FormClosed, OriginRefused, RateLimited, SpamRefused
from vinculo.webforms.services.forms import (
    CONTACT_KEYS,
    CUSTOM_PREFIX,
    FORM_KEYS,
    MAX_FIELDS,
    STANDARD_FIELDS,
    clean_domains,
    clean_form,
    create_form,
    delete_form,
    domain_allowed,
    update_form,
)
from vinculo.webforms.services.gates import (
    HONEYPOT,
    TOKEN_MAX_AGE,
    TOKEN_SALT,
    VISITOR_ID,
    Posted,
    SubmitMeta,
    check_rate,
    check_spam,
    ip_hash,
    public_form,
    render_token,
)
from vinculo.webforms.services.stats import count_view
from vinculo.webforms.services.submission import MAX_VALUE_LENGTH, submit_form

__all__ = [
    "CONTACT_KEYS",
    "CUSTOM_PREFIX",
    "FORM_KEYS",
    "HONEYPOT",
    "MAX_FIELDS",
    "MAX_VALUE_LENGTH",
    "STANDARD_FIELDS",
    "TOKEN_MAX_AGE",
    "TOKEN_SALT",
    "VISITOR_ID",
    "FormClosed",
    "OriginRefused",
    "Posted",
    "RateLimited",
    "SpamRefused",
    "SubmitMeta",
    "check_rate",
    "check_spam",
    "clean_domains",
    "clean_form",
    "count_view",
    "create_form",
    "delete_form",
    "domain_allowed",
    "ip_hash",
    "public_form",
    "render_token",
    "submit_form",
    "update_form",
]
