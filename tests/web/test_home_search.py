"""Home (my day), the global search of the top bar and the "+ New" menu."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from vinculo.activities import services as activities
from vinculo.contacts import services as contacts
from vinculo.sales import services as sales
from vinculo.sales.models import Deal


@pytest.fixture
def joana(ana):
    return contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Joana", "last_name": "Prado", "email": "joana@padaria.com.br"},
    )


def _stale(deal: Deal, days: int) -> None:
    """The deal entered its stage ``days`` ago (the default first stage rots after 14 days)."""
    Deal.objects.filter(pk=deal.pk).update(stage_entered_at=timezone.now() - timedelta(days=days))


# --- home ------------------------------------------------------------------------------------


def test_home_shows_my_overdue_task_and_my_rotting_deal(ana, bruno, joana):
    late = activities.create_task(
        actor=ana.actor,
        data={"subject": "Cobrar o boleto", "person_id": joana.pk, "due_at": "2024-01-10T09:00"},
    )
    activities.create_task(
        actor=ana.actor,
        data={"subject": "Tarefa para 2031", "person_id": joana.pk, "due_at": "2031-01-10T09:00"},
    )
    activities.create_task(
        actor=bruno.actor,
        data={"subject": "Tarefa do Bruno", "person_id": joana.pk, "due_at": "2024-01-10T09:00"},
    )
    mine = sales.create_deal(actor=ana.actor, data={"title": "Pães para o hotel", "amount": "900"})
    fresh = sales.create_deal(actor=ana.actor, data={"title": "Bolo de festa", "amount": "100"})
    brunos = sales.create_deal(
        actor=bruno.actor, data={"title": "Negócio do Bruno", "amount": "1000"}
    )
    _stale(mine, 20)
    _stale(brunos, 20)

    page = ana.web().get("/").content.decode()
    tasks = page.split('id="home-tasks"')[1].split("</section>")[0]
    assert "Cobrar o boleto" in tasks and "Overdue" in tasks
    assert f"/tasks/{late.pk}/complete/" in tasks  # done in one click
    assert "Tarefa para 2031" not in tasks and "Tarefa do Bruno" not in tasks
    rotting = page.split('id="home-rotting"')[1].split("</section>")[0]
    assert f'href="/deals/{mine.pk}/"' in rotting and "20 days in" in rotting
    assert fresh.title not in rotting and "Negócio do Bruno" not in rotting
    assert ana.workspace.name in page


def test_home_counts_open_deals_in_the_workspace_currency(ana, bruno):
    sales.create_deal(actor=ana.actor, data={"title": "A", "amount": "1000.50"})
    sales.create_deal(actor=bruno.actor, data={"title": "B", "amount": "200"})
    sales.create_deal(actor=ana.actor, data={"title": "C", "amount": "50", "currency": "USD"})
    page = ana.web().get("/").content.decode()
    counters = page.split('class="counters"')[1].split("</section>")[0]
    assert ">3<" in counters and "2 are yours" in counters
    assert "R$1,200.50" in counters  # BRL only, in English formatting
    assert "+ 1 deal in other currencies" in counters


def test_recent_activity_is_the_workspace_for_owners_and_my_records_for_reps(ana, bruno, joana):
    brunos_person = contacts.create_person(actor=bruno.actor, data={"first_name": "Rita"})
    activities.log_activity(
        actor=ana.actor, data={"kind": "note", "body": "Nota sobre a Joana", "person_id": joana.pk}
    )
    activities.log_activity(
        actor=bruno.actor,
        data={"kind": "note", "body": "Nota sobre a Rita", "person_id": brunos_person.pk},
    )
    ana_page = ana.web().get("/").content.decode()
    recent = ana_page.split('id="home-recent"')[1]
    assert "Nota sobre a Joana" in recent and "Nota sobre a Rita" in recent
    bruno_page = bruno.web().get("/").content.decode()
    recent = bruno_page.split('id="home-recent"')[1]
    assert "Nota sobre a Rita" in recent and "Nota sobre a Joana" not in recent


def test_home_stays_within_a_few_queries(ana, joana, django_assert_max_num_queries):
    for n in range(10):
        activities.create_task(
            actor=ana.actor,
            data={"subject": f"Tarefa {n}", "person_id": joana.pk, "due_at": "2024-01-10T09:00"},
        )
        _stale(sales.create_deal(actor=ana.actor, data={"title": f"Negócio {n}"}), 30)
    client = ana.web()
    client.get("/")
    with django_assert_max_num_queries(25):
        page = client.get("/").content.decode()
    assert "Tarefa 9" in page and "Negócio 9" in page


def test_home_of_a_viewer_has_nothing_to_complete(vera):
    page = vera.web().get("/").content.decode()
    assert "Nothing due today" in page
    assert 'class="quick-create"' not in page  # a viewer creates nothing


# --- global search ---------------------------------------------------------------------------


def test_search_as_you_type_finds_people_companies_and_deals(ana, joana):
    contacts.create_company(actor=ana.actor, data={"name": "Padaria Joaninha"})
    sales.create_deal(actor=ana.actor, data={"title": "Joana: pães", "person_id": joana.pk})
    contacts.create_person(actor=ana.actor, data={"first_name": "Marcos"})
    client = ana.web()
    dropdown = client.get("/search/", {"q": "joan"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in dropdown and 'role="listbox"' in dropdown
    assert "Joana Prado" in dropdown and "Padaria Joaninha" in dropdown
    assert "Joana: pães" in dropdown and "Marcos" not in dropdown
    assert 'href="/people/?q=joan"' in dropdown  # see all
    assert f'href="/people/{joana.pk}/"' in dropdown

    full = client.get("/search/", {"q": "joan"}).content.decode()
    assert "<html" in full and "Joana Prado" in full and "Padaria Joaninha" in full
    # the top bar's box is named "find" (pages keep their own "q" boxes)
    top = client.get("/search/", {"find": "joan"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Joana Prado" in top


def test_search_shows_at_most_five_of_each(ana, django_assert_max_num_queries):
    for n in range(8):
        contacts.create_person(actor=ana.actor, data={"first_name": f"Silva{n}"})
    client = ana.web()
    client.get("/")
    with django_assert_max_num_queries(12):
        dropdown = client.get("/search/", {"q": "silva"}, HTTP_HX_REQUEST="true").content.decode()
    assert dropdown.count("/people/") - dropdown.count("/people/?q=") == 5


def test_a_short_query_finds_nothing(ana, joana):
    client = ana.web()
    assert "Joana" not in client.get("/search/?q=j", HTTP_HX_REQUEST="true").content.decode()
    assert "Type at least two characters" in client.get("/search/?q=j").content.decode()


def test_carla_cannot_find_anas_people(ana, carla, joana):
    contacts.create_person(actor=carla.actor, data={"first_name": "Joana", "last_name": "Brasa"})
    client = carla.web()
    dropdown = client.get("/search/", {"q": "joana"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Joana Brasa" in dropdown and "Prado" not in dropdown
    assert "Prado" not in client.get("/search/", {"q": "prado"}).content.decode()
    assert client.get(f"/people/{joana.pk}/").status_code == 404


def test_search_needs_a_login(db, client):
    response = client.get("/search/?q=joana")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


# --- the top bar -----------------------------------------------------------------------------


def test_top_bar_has_search_and_the_new_menu_by_permission(ana, bruno):
    page = ana.web().get("/tasks/").content.decode()
    assert 'id="global-search"' in page and 'data-shortcut="/"' in page
    menu = page.split('class="quick-create"')[1].split("</details>")[0]
    assert 'data-shortcut="c"' in menu
    for href in ("/people/new/", "/companies/new/", "/deals/new/", "/tasks/new/"):
        assert f'href="{href}"' in menu
    for href in ("/people/new/", "/companies/new/", "/deals/new/", "/tasks/new/"):
        assert ana.web().get(href).status_code == 200
    people_list = bruno.web().get("/people/").content.decode()
    assert people_list.count('data-shortcut="/"') == 2  # the page's own search wins there (JS)
