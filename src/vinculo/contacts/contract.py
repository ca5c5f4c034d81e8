"""The write contracts of people and companies: every writable field, declared once.

The services clean with them (:mod:`vinculo.contacts.services.people` and ``companies``), the API
builds its input schemas from them, the screens take their form fields and labels, the import maps
columns by their aliases, entry rules and web forms read their kinds and labels. Aliases are
normalised headers (no accents, lower case, punctuation as spaces), in pt-BR and English.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from vinculo.contacts.models import Channel
from vinculo.core.contracts import Field, Kind, WriteContract

ADDRESS_FIELDS = ("street", "number", "complement", "district", "city", "state", "postal_code")

ADDRESS: tuple[Field, ...] = (
    Field(
        "street",
        Kind.TEXT,
        _("Street"),
        aliases=("endereco", "rua", "logradouro", "street", "address", "address line 1"),
        autocomplete="address-line1",
    ),
    Field("number", Kind.TEXT, _("Number"), aliases=("numero", "number", "n", "no", "nro")),
    Field(
        "complement",
        Kind.TEXT,
        _("Complement"),
        aliases=("complemento", "complement", "address line 2"),
        autocomplete="address-line2",
    ),
    Field(
        "district",
        Kind.TEXT,
        _("District"),
        aliases=("bairro", "district", "neighborhood", "neighbourhood"),
    ),
    Field(
        "city",
        Kind.TEXT,
        _("City"),
        aliases=("cidade", "city", "municipio", "town"),
        autocomplete="address-level2",
    ),
    Field(
        "state",
        Kind.TEXT,
        _("State"),
        aliases=("uf", "estado", "state", "province"),
        autocomplete="address-level1",
    ),
    Field(
        "postal_code",
        Kind.TEXT,
        _("Postal code"),
        max_length=20,
        aliases=("cep", "postal code", "zip", "zip code", "postcode"),
        autocomplete="postal-code",
    ),
    Field(
        "country",
        Kind.COUNTRY,
        _("Country"),
        aliases=("pais", "country", "country code"),
        autocomplete="country",
    ),
)

# What people and companies share after their own fields.
COMMON: tuple[Field, ...] = (
    Field("owner_id", Kind.OWNER, _("Owner")),
    Field(
        "source",
        Kind.TEXT,
        _("Source"),
        max_length=60,
        aliases=("origem", "fonte", "source", "lead source", "canal de origem"),
    ),
    Field(
        "lifecycle_stage",
        Kind.STAGE,
        _("Lifecycle stage"),
        description="A lifecycle stage key, e.g. mql.",
        aliases=("ciclo de vida", "estagio do ciclo de vida", "lifecycle stage"),
    ),
    Field(
        "tags",
        Kind.TAGS,
        _("Tags"),
        description="Tag names; missing tags are created.",
        aliases=("etiquetas", "tags", "tag", "marcadores", "etiquetas tags", "labels"),
    ),
    Field("custom_fields", Kind.CUSTOM, _("Custom fields")),
)

CREATED_AT = Field(
    "created_at",
    Kind.MOMENT,
    _("Created at"),
    api=False,  # an import's historical creation time; the API and screens never set it
    aliases=("criado em", "data de criacao", "data de cadastro", "created at"),
)


PERSON = WriteContract(
    "person",
    (
        Field(
            "first_name",
            Kind.TEXT,
            _("First name"),
            max_length=100,
            required=True,
            aliases=("nome", "primeiro nome", "first name", "firstname", "given name"),
            autocomplete="given-name",
        ),
        Field(
            "last_name",
            Kind.TEXT,
            _("Last name"),
            max_length=100,
            aliases=("sobrenome", "ultimo nome", "last name", "lastname", "surname"),
            autocomplete="family-name",
        ),
        Field(
            "email",
            Kind.EMAIL,
            _("Email"),
            aliases=("e mail", "email", "email address", "endereco de e mail"),
            input_type="email",
            autocomplete="email",
        ),
        Field(
            "phone",
            Kind.PHONE,
            _("Phone"),
            description="Any format; stored as E.164 (+5511987654321).",
            aliases=("telefone", "fone", "tel", "phone", "telephone", "telefone fixo"),
            input_type="tel",
            autocomplete="tel",
        ),
        Field(
            "mobile_phone",
            Kind.PHONE,
            _("Mobile phone"),
            aliases=(
                "celular",
                "cel",
                "mobile",
                "mobile phone",
                "whatsapp",
                "telefone celular",
                "cell",
            ),
            input_type="tel",
            autocomplete="tel",
        ),
        Field(
            "cpf",
            Kind.CPF,
            "CPF",
            description="With or without punctuation; check digits checked.",
            aliases=("cpf", "cpf do cliente"),
        ),
        Field(
            "job_title",
            Kind.TEXT,
            _("Job title"),
            max_length=100,
            aliases=("cargo", "funcao", "job title", "title", "position", "role"),
            autocomplete="organization-title",
        ),
        Field(
            "birth_date",
            Kind.DATE,
            _("Birth date"),
            past_only=True,
            aliases=(
                "data de nascimento",
                "nascimento",
                "aniversario",
                "birth date",
                "birthday",
                "dob",
            ),
            input_type="date",
            autocomplete="bday",
        ),
        Field(
            "gender",
            Kind.TEXT,
            _("Gender"),
            max_length=30,
            aliases=("genero", "sexo", "gender"),
        ),
        Field(
            "preferred_channel",
            Kind.CHOICE,
            _("Preferred channel"),
            choices=tuple(Channel.values),
            aliases=("canal preferido", "preferred channel"),
        ),
        Field(
            "interests",
            Kind.LONG_TEXT,
            _("Interests"),
            aliases=("interesses", "necessidades", "interests", "needs"),
            input_type="textarea",
        ),
        *COMMON,
        # Lists of links whose item schemas live with the API (AffiliationIn, ConsentIn).
        Field("companies", Kind.LINKS, _("Companies")),
        Field("consents", Kind.LINKS, _("Consents")),
        *ADDRESS,
        CREATED_AT,
    ),
)


COMPANY = WriteContract(
    "company",
    (
        Field(
            "name",
            Kind.TEXT,
            _("Name"),
            required=True,
            aliases=("nome", "nome fantasia", "empresa", "name", "company", "company name"),
            autocomplete="organization",
        ),
        Field("legal_name", Kind.TEXT, _("Legal name"), aliases=("razao social", "legal name")),
        Field("cnpj", Kind.CNPJ, "CNPJ", aliases=("cnpj",)),
        Field("domain", Kind.DOMAIN, _("Domain"), aliases=("dominio", "domain")),
        Field(
            "website",
            Kind.URL,
            _("Website"),
            aliases=("site", "website", "url", "pagina", "web site"),
            input_type="url",
            autocomplete="url",
        ),
        Field(
            "industry",
            Kind.TEXT,
            _("Industry"),
            max_length=100,
            aliases=("setor", "segmento", "ramo", "industry"),
        ),
        Field(
            "employees",
            Kind.WHOLE,
            _("Employees"),
            aliases=("funcionarios", "numero de funcionarios", "colaboradores", "employees"),
        ),
        Field(
            "annual_revenue",
            Kind.MONEY,
            _("Annual revenue"),
            aliases=(
                "faturamento",
                "faturamento anual",
                "receita anual",
                "annual revenue",
                "revenue",
            ),
        ),
        Field(
            "email",
            Kind.EMAIL,
            _("Email"),
            aliases=("e mail", "email"),
            input_type="email",
            autocomplete="email",
        ),
        Field(
            "phone",
            Kind.PHONE,
            _("Phone"),
            aliases=("telefone", "fone", "tel", "phone"),
            input_type="tel",
            autocomplete="tel",
        ),
        Field(
            "description",
            Kind.LONG_TEXT,
            _("Description"),
            aliases=("descricao", "observacoes", "description", "notes"),
            input_type="textarea",
        ),
        *COMMON,
        *ADDRESS,
        CREATED_AT,
    ),
)
