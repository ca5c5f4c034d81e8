"""Tags are told apart by one fold (Unicode casefold + NFC, core.text.fold) on every database:
accented capitals, ß and dotted İ never make a 500, a second tag or a failed import (issue 15.5).
"""

from __future__ import annotations

import io
import json
import unicodedata

import pytest

from tests.api import fields_of, problem, send
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Person, Tag
from vinculo.core.text import fold
from vinculo.quality.models import ImportStatus
from vinculo.quality.services import imports as svc


def _tags(persona) -> list[str]:
    return sorted(Tag.objects.for_workspace(persona.workspace).values_list("name", flat=True))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("PROMOÇÃO", "promoção"),
        ("ÓTIMO", "ótimo"),
        ("Straße", "STRASSE"),
        ("İSTANBUL", "i̇stanbul"),
        (unicodedata.normalize("NFD", "Açaí"), "AÇAÍ"),
    ],
)
def test_tags_that_fold_alike_are_one_tag_through_the_api(ana, first, second):
    client = ana.client()
    one = send(client, "post", "/api/v1/people", {"first_name": "Rui", "tags": [first]})
    assert one.status_code == 201, one.content
    two = send(client, "post", "/api/v1/people", {"first_name": "Lia", "tags": [second, first]})
    assert two.status_code == 201, two.content
    assert len(_tags(ana)) == 1
    assert two.json()["tags"] == one.json()["tags"]
    listed = client.get("/api/v1/people", {"tag": second}).json()["items"]
    assert len(listed) == 2


def test_fold_is_casefold_between_nfc():
    assert fold("Straße") == fold("STRASSE") == "strasse"
    assert fold("PROMOÇÃO") == fold(unicodedata.normalize("NFD", "promoção")) == "promoção"
    assert fold(" Ótimo   Cliente ") == "ótimo cliente"


def test_renaming_a_tag_onto_one_that_folds_alike_is_a_field_error_not_a_500(ana):
    contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "tags": ["PROMOÇÃO"]})
    contacts.create_person(actor=ana.actor, data={"first_name": "Lia", "tags": ["Straße"]})
    other = Tag.objects.for_workspace(ana.workspace).get(name="Straße")
    response = send(ana.client(), "patch", f"/api/v1/tags/{other.pk}", {"name": "promoção"})
    assert fields_of(problem(response, 422)) == {"name"}
    # Its own spelling changed is fine.
    renamed = send(ana.client(), "patch", f"/api/v1/tags/{other.pk}", {"name": "STRASSE"})
    assert renamed.status_code == 200, renamed.content
    assert _tags(ana) == ["PROMOÇÃO", "STRASSE"]


def test_a_csv_import_with_accented_capital_tags_imports_every_row(ana):
    content = (
        "Nome;E-mail;Tags\n"
        "Rui Alves;rui@exemplo.com.br;PROMOÇÃO\n"
        "Lia Reis;lia@exemplo.com.br;promoção, ÓTIMO\n"
        "Caio Luz;caio@exemplo.com.br;ótimo\n"
    ).encode()
    job = svc.create_import(
        actor=ana.actor, object_type="people", file_name="t.csv", content=io.BytesIO(content)
    )
    svc.set_mapping(actor=ana.actor, job_id=job.pk, mapping={"Tags": "tags"}, options={})
    svc.start_import(actor=ana.actor, job_id=job.pk)
    job = svc.run_import(job.pk)
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.rejected_count) == (3, 0)
    assert _tags(ana) == ["PROMOÇÃO", "ÓTIMO"]
    lia = Person.objects.for_workspace(ana.workspace).get(email="lia@exemplo.com.br")
    assert sorted(lia.tags.values_list("name", flat=True)) == ["PROMOÇÃO", "ÓTIMO"]


def test_deals_and_the_filter_language_use_the_same_fold(ana):
    contacts.create_person(actor=ana.actor, data={"first_name": "Rui", "tags": ["Straße"]})
    tree = {"field": "tags", "op": "has_all", "value": ["STRASSE", "strasse"]}
    found = ana.client().get("/api/v1/people", {"filter": json.dumps(tree)})
    assert found.status_code == 200, found.content
    assert len(found.json()["items"]) == 1
    deal = send(ana.client(), "post", "/api/v1/deals", {"title": "Venda", "tags": ["PROMOÇÃO"]})
    assert deal.status_code == 201, deal.content
    again = send(ana.client(), "post", "/api/v1/deals", {"title": "Outra", "tags": ["promoção"]})
    assert again.status_code == 201, again.content
    assert _tags(ana) == ["PROMOÇÃO", "Straße"]
