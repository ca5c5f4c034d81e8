"""Write contracts: a record's writable fields declared once, read by every path that writes it.

A :class:`WriteContract` lists a record's fields with their kind (what a value must be), label,
limits, the header aliases an imported file may use, and how a form asks for them. From that one
declaration:

- the service cleans the plain fields (:meth:`WriteContract.clean`: the kind's validator, the
  limit, required on create, unknown keys refused by name), and its own code adds only what needs
  the workspace (owner, stage, tags, custom values, links);
- the API's input schema is made (:meth:`WriteContract.input_schema`: one property per field,
  typed by kind, so the OpenAPI document says what the service accepts);
- the screens' forms take their fields and labels (:meth:`WriteContract.form_fields`);
- the import maps columns to fields by the aliases (:meth:`WriteContract.import_targets`), and
  entry rules and web forms read the kinds and labels.

So a row is cleaned once, by the service, with the same field-level messages whichever path it
came by (API, screen, import, web form, and next automation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import Field as SchemaField
from pydantic import create_model

from vinculo.core import validators
from vinculo.core.errors import FieldError, ValidationFailed, choice_error, collect
from vinculo.core.schemas import Id, Int32


class Kind(StrEnum):
    """What a value must be. The first group is cleaned here; the second by the record's
    service, which knows the workspace (members, stages, tags, custom fields, other records)."""

    TEXT = "text"  # one line, spaces collapsed, ``max_length``
    LONG_TEXT = "long_text"  # several lines
    EMAIL = "email"
    PHONE = "phone"  # stored E.164; national numbers read in the workspace's region
    CPF = "cpf"
    CNPJ = "cnpj"
    URL = "url"
    DOMAIN = "domain"
    DATE = "date"
    COUNTRY = "country"  # two letters
    CHOICE = "choice"  # one of ``choices``
    WHOLE = "whole"  # a whole number ≥ 0
    MONEY = "money"  # ≥ 0, two places, at most ``max_digits`` digits
    CURRENCY = "currency"  # an ISO 4217 code (BRL)
    # cleaned by the record's service
    OWNER = "owner"  # an active member's id
    STAGE = "stage"  # a lifecycle stage key
    TAGS = "tags"  # tag names; missing tags are made
    CUSTOM = "custom"  # custom field values by key
    MOMENT = "moment"  # a date and time (an import's historical creation time)
    LINKS = "links"  # a list of links to other records (affiliations, consents, line items)
    RECORD = "record"  # the id of another record of the workspace (a person, a pipeline…)


PLAIN_KINDS = frozenset(
    {
        Kind.TEXT,
        Kind.LONG_TEXT,
        Kind.EMAIL,
        Kind.PHONE,
        Kind.CPF,
        Kind.CNPJ,
        Kind.URL,
        Kind.DOMAIN,
        Kind.DATE,
        Kind.COUNTRY,
        Kind.CHOICE,
        Kind.WHOLE,
        Kind.MONEY,
        Kind.CURRENCY,
    }
)

# The API type of each kind (every input property is optional: a patch sends what changes).
_API_TYPES: dict[Kind, Any] = {
    Kind.DATE: date,
    Kind.WHOLE: Int32,
    Kind.MONEY: Decimal,
    Kind.OWNER: Id,
    Kind.RECORD: Id,
    Kind.TAGS: list[str],
    Kind.CUSTOM: dict[str, Any],
}


@dataclass(frozen=True)
class Field:
    """One writable field of a record."""

    name: str
    kind: Kind
    label: Any  # a lazy translation (or a proper name such as "CPF")
    max_length: int = 200
    max_digits: int = 16  # of a money amount, its two places included
    minimum: Decimal = Decimal(0)  # the least money amount, as its message says it ("0.00")
    required: bool = False  # on create
    description: str = ""  # the API's description of the property
    examples: tuple[Any, ...] = ()  # the API's examples of the property
    # On create, what an absent value is: the API property has this default and is not
    # nullable (None: the property is optional and nullable).
    api_default: Any = None
    aliases: tuple[str, ...] = ()  # import headers, normalised (no accents, lower case)
    input_type: str = "text"  # how a form asks for it
    autocomplete: str = "off"
    choices: tuple[str, ...] = ()
    past_only: bool = False  # a date that cannot be in the future (a birth date)
    api: bool = True  # part of the API's input (an import's creation time is not)


def _whole(value: Any, name: str) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).isdigit():
        raise ValidationFailed.field(name, _("Enter a whole number ≥ 0."), "invalid")
    return int(value)


def _country(value: Any, name: str) -> str:
    country = str(value or "").strip().upper()
    if country and (len(country) != 2 or not country.isalpha()):
        raise ValidationFailed.field(name, _("Use a two-letter country code (BR)."), "invalid")
    return country


def _domain(value: Any, name: str) -> str:
    domain = str(value or "").strip().lower().removeprefix("www.")
    if domain and ("." not in domain or " " in domain or "/" in domain):
        raise ValidationFailed.field(name, _("Use a domain like empresa.com.br."), "invalid")
    return domain


def _money(value: Any, name: str, *, max_digits: int, minimum: Decimal) -> Decimal | None:
    return validators.clean_decimal(value, name, places=2, max_digits=max_digits, minimum=minimum)


class WriteContract:
    """The writable fields of one record type, in the order forms and errors follow."""

    def __init__(self, record: str, fields: Iterable[Field]) -> None:
        self.record = record
        self.fields: tuple[Field, ...] = tuple(fields)
        self.by_name = {f.name: f for f in self.fields}
        self.names = frozenset(self.by_name)

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    def __iter__(self) -> Any:
        return iter(self.fields)

    def of_kind(self, *kinds: Kind) -> list[Field]:
        return [f for f in self.fields if f.kind in kinds]

    # --- the service ---------------------------------------------------------------------------

    def unknown(self, data: dict[str, Any], errors: list[FieldError]) -> None:
        """Every key the contract does not know, refused by name."""
        for key in data:
            if key not in self.by_name:
                errors.append(FieldError(str(key), _("Unknown field."), "unknown_field"))

    def clean(
        self,
        data: dict[str, Any],
        errors: list[FieldError],
        *,
        creating: bool,
        region: str,
        defaults: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """The plain fields of ``data`` (a full row when ``creating``, else a patch), cleaned by
        kind; a required field is cleaned on create even when absent (and refused).

        ``defaults`` gives what a blank value of a field becomes, from the workspace (its
        currency); such a field is cleaned on create even when absent."""
        defaults = defaults or {}
        self.unknown(data, errors)
        out: dict[str, Any] = {}
        for f in self.fields:
            if f.kind not in PLAIN_KINDS:
                continue
            if f.name in data or (creating and (f.required or f.name in defaults)):
                value = data.get(f.name)
                if f.name in defaults:
                    value = value or defaults[f.name]
                out[f.name] = self._clean_one(f, value, errors, region)
        return out

    def _clean_one(self, f: Field, value: Any, errors: list[FieldError], region: str) -> Any:
        if f.kind is Kind.CHOICE:
            chosen = value or ""
            if chosen and chosen not in f.choices:
                errors.append(choice_error(f.name, chosen, f.choices))
            return chosen
        cleaner, blank, options = self._cleaner(f, region)
        cleaned = collect(errors, cleaner, value, f.name, **options)
        if f.past_only and cleaned and cleaned > timezone.localdate():
            errors.append(FieldError(f.name, _("Cannot be in the future."), "invalid"))
        return cleaned if cleaned or blank is None else blank

    @staticmethod
    def _cleaner(f: Field, region: str) -> tuple[Callable[..., Any], Any, dict[str, Any]]:
        """(validator, what an empty value is stored as, the validator's options)."""
        match f.kind:
            case Kind.TEXT:
                return (
                    validators.clean_name,
                    "",
                    {"required": f.required, "max_length": f.max_length},
                )
            case Kind.LONG_TEXT:
                return validators.clean_long_text, "", {}
            case Kind.EMAIL:
                return validators.clean_email, "", {}
            case Kind.PHONE:
                return validators.clean_phone, "", {"region": region}
            case Kind.CPF:
                return validators.clean_cpf, "", {}
            case Kind.CNPJ:
                return validators.clean_cnpj, "", {}
            case Kind.URL:
                return validators.clean_url, "", {}
            case Kind.DOMAIN:
                return _domain, "", {}
            case Kind.COUNTRY:
                return _country, "", {}
            case Kind.DATE:
                return validators.clean_date, None, {}
            case Kind.WHOLE:
                return _whole, None, {}
            case Kind.MONEY:
                return _money, None, {"max_digits": f.max_digits, "minimum": f.minimum}
            case Kind.CURRENCY:
                return validators.clean_currency, "", {}
        raise ValueError(f"{f.kind} is cleaned by the record's service")

    # --- the API -------------------------------------------------------------------------------

    def input_schema(
        self,
        name: str,
        *,
        base: type,
        create: bool = False,
        types: dict[str, Any] | None = None,
        descriptions: dict[str, str] | None = None,
    ) -> type:
        """The API's input model: one optional property per API field, typed by kind (``types``
        gives the type of a field whose kind does not say it, such as a list of links); with
        ``create`` the required fields are required and a field with an ``api_default`` takes
        it. ``descriptions`` describes a property in this model only (what a patch allows)."""
        properties: dict[str, Any] = {}
        for f in self.fields:
            if not f.api:
                continue
            kind_type = (types or {}).get(f.name) or _API_TYPES.get(f.kind, str)
            about: dict[str, Any] = {
                "description": (descriptions or {}).get(f.name) or f.description or None
            }
            if f.examples:
                about["examples"] = list(f.examples)
            if create and f.required:
                properties[f.name] = (kind_type, SchemaField(**about))
            elif create and f.api_default is not None:
                properties[f.name] = (kind_type, SchemaField(f.api_default, **about))
            else:
                properties[f.name] = (kind_type | None, SchemaField(None, **about))
        return create_model(name, __base__=base, **properties)

    # --- forms and imports ---------------------------------------------------------------------

    def form_fields(self, *names: str) -> list[tuple[str, Any]]:
        """(name, label) of ``names`` in that order: what a screen's form asks for."""
        return [(n, self.by_name[n].label) for n in names]

    def import_targets(self) -> dict[str, tuple[Kind, tuple[str, ...]]]:
        """Field → (kind, header aliases) of every field an imported column can fill."""
        return {f.name: (f.kind, f.aliases) for f in self.fields if f.aliases}
