"""The glossary a new workspace starts with (seed 000: agree on what lead, MQL, customer and
churn mean before counting them), in the workspace's language: each term tied to the default
lifecycle stage (contacts' ``DEFAULT_LIFECYCLE`` keys) or registered KPI it defines, so their
screens show its definition as a tooltip. The words are message ids, translated when made;
``migrations/0002_experience_glossary_defaults`` repeats them for the workspaces made before."""

from __future__ import annotations

from django.utils.translation import gettext_noop

# (term, definition, lifecycle stage key, KPI key)
DEFAULT_TERMS: list[tuple[str, str, str, str]] = [
    (
        gettext_noop("Subscriber"),
        gettext_noop(
            "Someone who follows the newsletter or the blog and has not yet shown an interest "
            "in buying."
        ),
        "subscriber",
        "",
    ),
    (
        gettext_noop("Lead"),
        gettext_noop(
            "Someone who left their details in exchange for something (content, an event, a "
            "quote) and can be worked by marketing."
        ),
        "lead",
        "new_leads",
    ),
    (
        "MQL",
        gettext_noop(
            "Marketing-qualified lead: a lead whose profile and engagement show potential, "
            "ready to be handed to sales."
        ),
        "mql",
        "",
    ),
    (
        "SQL",
        gettext_noop("Sales-qualified lead: a lead sales accepted to approach directly."),
        "sql",
        "",
    ),
    (
        gettext_noop("Opportunity"),
        gettext_noop("There is an open deal with this person or company."),
        "opportunity",
        "",
    ),
    (
        gettext_noop("Customer"),
        gettext_noop("Bought at least once."),
        "customer",
        "new_customers",
    ),
    (
        gettext_noop("Advocate"),
        gettext_noop("A customer who recommends the brand and speaks up for it."),
        "advocate",
        "referrals",
    ),
    (
        gettext_noop("Churn"),
        gettext_noop(
            "Customers lost over a period: those who stopped buying or cancelled, as a share "
            "of the customers at its start."
        ),
        "",
        "churn_rate",
    ),
    (
        "CLV",
        gettext_noop(
            "Customer lifetime value: what a customer is expected to bring in over the whole "
            "relationship."
        ),
        "",
        "average_clv",
    ),
    (
        "CAC",
        gettext_noop(
            "Customer acquisition cost: what marketing and sales spent divided by the new "
            "customers they won."
        ),
        "",
        "cac",
    ),
    (
        "NPS",
        gettext_noop(
            "Net Promoter Score: the share of promoters (9 or 10 out of 10) minus the share of "
            "detractors (0 to 6) when customers are asked whether they would recommend you."
        ),
        "",
        "",
    ),
    (
        gettext_noop("Win rate"),
        gettext_noop("Deals won as a share of the deals closed (won or lost)."),
        "",
        "win_rate",
    ),
    (
        gettext_noop("Sales cycle"),
        gettext_noop("How long a deal takes from being opened to being won."),
        "",
        "sales_cycle",
    ),
    (
        gettext_noop("Retention"),
        gettext_noop("The share of customers who keep buying from one period to the next."),
        "",
        "retention_rate",
    ),
    (
        gettext_noop("Response time"),
        gettext_noop("How long a new lead waits for the first contact from the team."),
        "",
        "lead_response_time",
    ),
]
