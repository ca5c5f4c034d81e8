"""The write contract of deals: every writable field, declared once.

:mod:`vinculo.sales.services.deal_input` cleans the plain fields with it (title, amount,
currency, expected close date, lost note, source, description) and refuses unknown keys by its
names; what needs the workspace (pipeline and stage, owner, person and company, lost reason,
line items, tags, custom values, an import's history) is cleaned there too and declared here
with its kind. The API builds ``DealIn``/``DealPatch`` from it, the deal screens take their
fields and labels, the import maps columns by its aliases and entry rules read its kinds.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from vinculo.contacts.contract import PERSON
from vinculo.core.contracts import Field, Kind, WriteContract

DEAL = WriteContract(
    "deal",
    (
        Field(
            "title",
            Kind.TEXT,
            _("Title"),
            required=True,
            aliases=("titulo", "negocio", "nome do negocio", "oportunidade", "title", "deal"),
        ),
        Field("pipeline_id", Kind.RECORD, _("Pipeline")),
        Field("stage_id", Kind.RECORD, _("Stage")),
        Field(
            "amount",
            Kind.MONEY,
            _("Amount"),
            max_digits=14,
            minimum=Decimal("0.00"),
            examples=("1500.00",),
            aliases=("valor", "valor total", "amount", "value", "deal value"),
            input_type="decimal",
        ),
        Field(
            "currency",
            Kind.CURRENCY,
            _("Currency"),
            examples=("BRL",),
            aliases=("moeda", "currency"),
            input_type="currency",
        ),
        Field(
            "expected_close_date",
            Kind.DATE,
            _("Expected close date"),
            aliases=(
                "previsao de fechamento",
                "data prevista",
                "expected close date",
                "close date",
            ),
            input_type="date",
        ),
        Field("owner_id", Kind.OWNER, _("Owner")),
        Field("person_id", Kind.RECORD, _("Person")),
        Field("company_id", Kind.RECORD, _("Company")),
        Field(
            "lost_reason_id",
            Kind.RECORD,
            _("Lost reason"),
            description="For a lost stage: a reason of the pipeline (GET .../lost-reasons); "
            "required while the pipeline lists any.",
        ),
        Field(
            "lost_note",
            Kind.TEXT,
            _("Lost note"),
            description="Why it was lost, in words: required for 'other'.",
            api_default="",
        ),
        # The same source as people's and companies' (60 characters, the same headers); empty
        # when a new deal does not say it.
        replace(PERSON["source"], api_default=""),
        Field(
            "description",
            Kind.LONG_TEXT,
            _("Description"),
            api_default="",
            input_type="textarea",
        ),
        Field("tags", Kind.TAGS, _("Tags"), aliases=PERSON["tags"].aliases),
        Field("custom_fields", Kind.CUSTOM, _("Custom fields")),
        # A list of line items whose item schema lives with the API (LineItemIn).
        Field("line_items", Kind.LINKS, _("Items")),
        # An import's history: the deal's creation time and the stages it went through
        # ([{"stage_id", "at"}, …]); the API's single create and the screens never set them.
        Field("created_at", Kind.MOMENT, _("Created at"), api=False),
        Field("stage_history", Kind.LINKS, _("Stage history"), api=False),
    ),
)
