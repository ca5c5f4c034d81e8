"""The refusals of the public side: spam, too many posts, a foreign site, a closed form."""

from __future__ import annotations

from vinculo.core.errors import FieldError, NotFound, ServiceError


class SpamRefused(ServiceError):
    """A post the spam gates refused (kept as a ``spam`` submission)."""

    status = 422
    title = "Submission refused"
    type_slug = "submission-refused"

    def __init__(self, detail: str, *, reason: str) -> None:
        super().__init__(detail, errors=[FieldError("", detail, reason)])
        self.reason = reason


class RateLimited(ServiceError):
    status = 429
    title = "Too many requests"
    type_slug = "rate-limited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = max(int(retry_after), 1)


class OriginRefused(ServiceError):
    """A browser post or page view from a site that is not allowed (403)."""

    status = 403
    title = "Forbidden"
    type_slug = "origin-refused"


class FormClosed(NotFound):
    """The form does not exist or no longer accepts answers (404)."""
