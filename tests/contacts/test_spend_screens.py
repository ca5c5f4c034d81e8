"""The Settings screens of marketing spend (a year's grid, entering and changing a month's spend)
and of currency rates, in both languages: field errors on the form, another workspace's ids
refused, read only for a viewer."""

from __future__ import annotations

from decimal import Decimal

from vinculo.contacts import services as contacts
from vinculo.contacts.models import Spend
from vinculo.core import currency
from vinculo.core.models import CurrencyRate


def _spend(persona, month, channel, amount, code="BRL"):
    return contacts.create_spend(
        actor=persona.actor,
        data={"month": month, "channel": channel, "amount": amount, "currency": code},
    )


def test_the_grid_of_a_year(ana):
    _spend(ana, "2026-03", "Google Ads", "1500")
    _spend(ana, "2026-04", "Google Ads", "500")
    _spend(ana, "2026-03", "Meta Ads", "20", "USD")
    _spend(ana, "2025-12", "Meta Ads", "999")  # another year
    page = ana.web(language="pt-br").get("/settings/spend/?year=2026")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Investimento em marketing" in text
    assert "R$\xa01.500,00" in text and "R$\xa02.000,00" in text  # March, and the row's total
    assert "US$\xa020,00" in text
    assert "999" not in text
    english = ana.web().get("/settings/spend/?year=2026").content.decode()
    assert "Marketing spend" in english and "R$1,500.00" in english


def test_enter_change_and_delete_through_the_form(ana):
    web = ana.web()
    bad = web.post(
        "/settings/spend/save/", {"month": "2026-03", "channel": "", "amount": "-5", "year": "2026"}
    )
    assert bad.status_code == 422
    text = bad.content.decode()
    assert "This field is required." in text and "Must be at least 0." in text
    assert not Spend.objects.exists()
    done = web.post(
        "/settings/spend/save/",
        {"month": "2026-03", "channel": "Google Ads", "amount": "1.234,50", "currency": "BRL"},
    )
    assert done.status_code == 302 and done["Location"].endswith("?year=2026")
    entry = Spend.objects.get()
    assert (entry.amount, entry.created_by_id) == (Decimal("1234.50"), ana.user.pk)
    edit = web.get(f"/settings/spend/?year=2026&edit={entry.pk}").content.decode()
    assert 'value="1234.50"' in edit
    web.post(
        "/settings/spend/save/",
        {"spend_id": entry.pk, "month": "2026-03", "channel": "Google Ads", "amount": "2000"},
    )
    assert Spend.objects.get().amount == Decimal("2000.00")
    web.post(f"/settings/spend/{entry.pk}/delete/", {"year": "2026"})
    assert not Spend.objects.exists()


def test_other_workspace_and_viewer(ana, vera, carla):
    theirs = _spend(carla, "2026-03", "Google Ads", "10")
    web = ana.web()
    assert web.get(f"/settings/spend/?edit={theirs.pk}").status_code == 404
    assert web.post(f"/settings/spend/{theirs.pk}/delete/").status_code == 404
    changed = web.post(
        "/settings/spend/save/",
        {"spend_id": theirs.pk, "month": "2026-03", "channel": "x", "amount": "1"},
    )
    assert changed.status_code == 404
    assert Spend.objects.get().amount == Decimal("10.00")
    mine = _spend(ana, "2026-03", "Google Ads", "10")
    page = vera.web().get("/settings/spend/?year=2026").content.decode()
    assert "Read only" in page and 'id="spend-form"' not in page
    assert vera.web().post(f"/settings/spend/{mine.pk}/delete/").status_code == 403


def test_currency_rates_screen(ana, vera, carla):
    web = ana.web(language="pt-br")
    bad = web.post(
        "/settings/currency-rates/new/", {"currency": "BRL", "month": "2026-03", "rate": "5"}
    )
    assert bad.status_code == 422
    assert "é a moeda do próprio espaço de trabalho" in bad.content.decode()
    done = web.post(
        "/settings/currency-rates/new/", {"currency": "usd", "month": "2026-03", "rate": "5,25"}
    )
    assert done.status_code == 302
    rate = CurrencyRate.objects.get()
    assert (rate.currency, rate.rate) == ("USD", Decimal("5.25"))
    page = web.get("/settings/currency-rates/").content.decode()
    assert "Cotações de moedas" in page and 'value="2026-03"' in page
    web.post(
        f"/settings/currency-rates/{rate.pk}/",
        {"currency": "USD", "month": "2026-03", "rate": "5.5"},
    )
    assert CurrencyRate.objects.get().rate == Decimal("5.5")
    theirs = currency.create_currency_rate(
        actor=carla.actor, data={"currency": "USD", "month": "2026-03", "rate": "1"}
    )
    assert web.post(f"/settings/currency-rates/{theirs.pk}/delete/").status_code == 404
    read_only = vera.web().get("/settings/currency-rates/").content.decode()
    assert "Read only" in read_only and "New rate" not in read_only
    web.post(f"/settings/currency-rates/{rate.pk}/delete/")
    assert list(CurrencyRate.objects.values_list("pk", flat=True)) == [theirs.pk]
