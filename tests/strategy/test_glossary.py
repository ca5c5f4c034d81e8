"""The glossary: default terms in the workspace's language, CRUD through the API with field-named
errors, a term unique by its folded spelling, two-workspace isolation, and the tooltips on the
screens where a lifecycle stage or a KPI is named (one query for the whole page's glossary)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api import fields_of, problem, send
from vinculo.contacts import services as contacts
from vinculo.strategy.glossary_defaults import DEFAULT_TERMS
from vinculo.strategy.glossary_services import make_default_glossary
from vinculo.strategy.models import GlossaryTerm
from vinculo.workspaces import services as workspaces
from vinculo.workspaces.selectors import actor_for

API = "/api/v1"
REVENUE = {
    "term": "Receita líquida",
    "definition": "Receita menos devoluções.",
    "kpi_key": "new_revenue",
}


def test_a_new_workspace_starts_with_the_glossary_in_its_language(ana):
    terms = {t.term: t for t in GlossaryTerm.objects.for_workspace(ana.workspace)}
    assert len(terms) == len(DEFAULT_TERMS)  # one row per default, none twice
    # a pt-br workspace (the default locale): the Portuguese words, tied to stage and KPI keys
    assert terms["Cliente"].lifecycle_stage == "customer"
    assert terms["Cliente"].definition == "Comprou ao menos uma vez."
    assert terms["Churn"].kpi_key == "churn_rate"
    assert terms["MQL"].lifecycle_stage == "mql"
    assert terms["Taxa de ganho"].term_key == "taxa de ganho"


def test_an_english_workspace_gets_the_english_words(db):
    new = workspaces.create_workspace(
        name="Harbour Bakery", owner_email="hal@harbour.test", owner_password="senha-forte-do-1"
    )
    ws = new.workspace
    GlossaryTerm.objects.for_workspace(ws).delete()
    ws.locale = "en"
    ws.save(update_fields=["locale"])
    actor = actor_for(new.owner, ws)
    assert actor is not None
    make_default_glossary(actor)
    terms = {t.term: t for t in GlossaryTerm.objects.for_workspace(ws)}
    assert terms["Customer"].definition == "Bought at least once."
    assert terms["Win rate"].kpi_key == "win_rate"
    assert make_default_glossary(actor) == []  # made twice: nothing new


def test_terms_crud(ana):
    client = ana.client()
    created = send(client, "post", f"{API}/glossary", REVENUE)
    assert created.status_code == 201, created.content
    term = created.json()
    assert term["term_key"] == "receita líquida"
    url = f"{API}/glossary/{term['id']}"
    assert client.get(url).json()["kpi_key"] == "new_revenue"
    listed = client.get(f"{API}/glossary", {"q": "RECEITA"}).json()
    assert [t["id"] for t in listed] == [term["id"]]
    changed = send(client, "patch", url, {"definition": "Vendas menos devoluções."})
    assert changed.status_code == 200
    assert changed.json()["term"] == "Receita líquida"  # kept
    assert client.get(url).json()["definition"] == "Vendas menos devoluções."
    assert client.delete(url).status_code == 204
    problem(client.get(url), 404)


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"term": "  "}, "term"),
        ({"term": "x" * 81}, "term"),
        ({"definition": ""}, "definition"),
        ({"lifecycle_stage": "nope"}, "lifecycle_stage"),
        ({"kpi_key": "nope"}, "kpi_key"),
        # the default "Churn", spelled otherwise: the same term once folded
        ({"term": "CHURN"}, "term"),
        ({"term": "TAXA DE GANHO"}, "term"),
    ],
)
def test_bad_terms_name_the_field(ana, data, field):
    body = problem(send(ana.client(), "post", f"{API}/glossary", REVENUE | data), 422)
    assert field in fields_of(body), body


def test_a_term_spelled_with_a_decomposed_accent_is_the_same_term(ana):
    decomposed = "Retenc\u0327a\u0303o"  # "Retenção" with combining marks: NFC folds it
    body = problem(send(ana.client(), "post", f"{API}/glossary", REVENUE | {"term": decomposed}),
                   422)  # fmt: skip
    assert fields_of(body) == {"term"}


def test_renaming_onto_another_term_is_refused(ana):
    client = ana.client()
    term = send(client, "post", f"{API}/glossary", REVENUE).json()
    body = problem(send(client, "patch", f"{API}/glossary/{term['id']}", {"term": "lead"}), 422)
    assert fields_of(body) == {"term"}
    # its own spelling in other case is not a duplicate of itself
    ok = send(client, "patch", f"{API}/glossary/{term['id']}", {"term": "RECEITA LÍQUIDA"})
    assert ok.status_code == 200, ok.content


def test_a_viewer_reads_but_does_not_write(vera):
    client = vera.client()
    assert client.get(f"{API}/glossary").status_code == 200
    problem(send(client, "post", f"{API}/glossary", REVENUE), 403)


def test_another_workspace_sees_nothing_of_it(ana, carla):
    term = send(ana.client(), "post", f"{API}/glossary", REVENUE).json()
    client = carla.client()
    url = f"{API}/glossary/{term['id']}"
    problem(client.get(url), 404)
    problem(send(client, "patch", url, {"definition": "Carla esteve aqui"}), 404)
    problem(client.delete(url), 404)
    assert term["id"] not in [t["id"] for t in client.get(f"{API}/glossary").json()]
    # Carla may add the same term in her own workspace: unique per workspace only
    assert send(client, "post", f"{API}/glossary", REVENUE).status_code == 201
    assert GlossaryTerm.objects.get(pk=term["id"]).definition == REVENUE["definition"]


def test_the_glossary_screen_adds_and_lists_terms(ana):
    web = ana.web("pt-br")
    page = web.get("/strategy/glossary/")
    assert page.status_code == 200
    assert "Comprou ao menos uma vez." in page.content.decode()
    refused = web.post("/strategy/glossary/", {"term": "lead", "definition": "Outra coisa"})
    assert refused.status_code == 422
    assert "O glossário já tem este termo." in refused.content.decode()
    saved = web.post("/strategy/glossary/", REVENUE)
    assert saved.status_code == 302
    assert GlossaryTerm.objects.for_workspace(ana.workspace).filter(term="Receita líquida")


def test_a_lifecycle_stage_shows_its_definition_as_a_tooltip(ana):
    person = contacts.create_person(
        actor=ana.actor, data={"first_name": "Joana", "lifecycle_stage": "customer"}
    )
    web = ana.web("pt-br")
    detail = web.get(f"/people/{person.pk}/").content.decode()
    tip = '<abbr class="glossary-tip" title="Comprou ao menos uma vez." data-glossary="cliente">'
    assert tip + "Cliente</abbr>" in detail
    listed = web.get("/people/").content.decode()
    assert tip + "Cliente</abbr>" in listed
    # the stage pickers (bulk change, the person form) carry it as the option's title
    option = '<option value="customer" title="Comprou ao menos uma vez.">Cliente</option>'
    assert option in listed
    form = web.get("/people/new/").content.decode()
    assert 'title="Comprou ao menos uma vez.">Cliente</option>' in form


def test_the_glossary_is_read_once_per_page(ana):
    for i in range(3):
        contacts.create_person(
            actor=ana.actor, data={"first_name": f"P{i}", "lifecycle_stage": "lead"}
        )
    web = ana.web("pt-br")
    web.get("/people/")  # warm up the session and caches
    with CaptureQueriesContext(connection) as queries:
        page = web.get("/people/")
    assert page.content.decode().count('data-glossary="lead"') == 3
    glossary_reads = [q for q in queries.captured_queries if "strategy_glossaryterm" in q["sql"]]
    assert len(glossary_reads) == 1


def test_a_kpi_shows_its_definition_as_a_tooltip(ana):
    web = ana.web("pt-br")
    tip = (
        '<abbr class="glossary-tip" title="Negócios ganhos em proporção aos negócios fechados '
        '(ganhos ou perdidos)." data-glossary="taxa de ganho">Taxa de ganho</abbr>'
    )
    assert tip in web.get("/insights/kpis/win_rate/").content.decode()
    assert tip in web.get("/insights/").content.decode()


def test_a_tooltip_follows_the_glossary_when_it_changes(ana):
    term = GlossaryTerm.objects.for_workspace(ana.workspace).get(kpi_key="win_rate")
    changed = {"definition": "Ganhos <b>÷</b> fechados"}
    assert send(ana.client(), "patch", f"{API}/glossary/{term.pk}", changed).status_code == 200
    page = ana.web("en").get("/insights/kpis/win_rate/").content.decode()
    assert 'title="Ganhos &lt;b&gt;÷&lt;/b&gt; fechados"' in page  # escaped, never markup
