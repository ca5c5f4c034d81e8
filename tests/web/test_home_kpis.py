"""The home page shows four KPIs of the last 30 days against the 30 before, each linking to its
Insights page; another workspace's deals never count."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from vinculo.sales import services as sales
from vinculo.sales.models import Deal


def test_home_shows_the_last_30_days(ana, carla):
    deal = sales.create_deal(actor=ana.actor, data={"title": "Bolo", "amount": "1234.50"})
    Deal.objects.filter(pk=deal.pk).update(
        status="won", closed_at=timezone.now() - timedelta(hours=2)
    )
    # Carla's win in her own workspace never shows in Ana's numbers.
    other = sales.create_deal(actor=carla.actor, data={"title": "X", "amount": "99999"})
    Deal.objects.filter(pk=other.pk).update(status="won", closed_at=timezone.now())
    client = ana.web()
    client.cookies["django_language"] = "en"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    cards = page[page.index('id="home-kpis"') :]
    assert 'href="/insights/kpis/deals_won/"' in cards
    assert "R$1,234.50" in cards  # new revenue: the one deal won, in the reader's format
    assert "100%" in cards  # win rate: one closed, one won
    assert "99,999" not in cards
