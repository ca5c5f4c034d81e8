"""Screens: hub, list, create/edit with errors, detail with log and chart, delivery detail,
redeliver, ping, toggle, rotate, delete; Carla gets 404 everywhere; Bruno 403."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from tests.webhooks.helpers import drain, run_outbox, subscribe
from vinculo.contacts import services as contacts
from vinculo.integrations import services
from vinculo.integrations.models import WebhookDelivery, WebhookSubscription

pytestmark = pytest.mark.django_db


def test_create_from_the_form_shows_the_secret_once(ana, receiver):
    web = ana.web()
    page = web.get(reverse("integrations:webhook_new"))
    assert page.status_code == 200
    assert b'value="person.created"' in page.content
    response = web.post(
        reverse("integrations:webhook_new"),
        {
            "name": "ERP",
            "url": receiver.url,
            "event_types": ["person.created", "deal.*"],
            "condition_object": "person",
            "condition": '{"field": "tags", "op": "has_any", "value": ["vip"]}',
        },
    )
    sub = WebhookSubscription.objects.get()
    assert response.status_code == 302
    assert sub.event_types == ["person.created", "deal.*"]
    assert sub.condition == {"field": "tags", "op": "has_any", "value": ["vip"]}
    detail = web.get(response["Location"])
    assert sub.secret.encode() in detail.content
    again = web.get(response["Location"])
    assert sub.secret.encode() not in again.content


def test_form_errors_name_the_problem(ana):
    web = ana.web()
    response = web.post(
        reverse("integrations:webhook_new"),
        {"name": "", "url": "ftp://x", "event_types": [], "condition": "{not json"},
    )
    assert response.status_code == 422
    text = response.content.decode()
    assert "Give the webhook a name." in text
    assert "Use an http:// or https:// URL." in text
    assert "Choose at least one event type." in text
    assert "The condition is not valid JSON" in text
    assert not WebhookSubscription.objects.exists()
    bad_filter = web.post(
        reverse("integrations:webhook_new"),
        {
            "name": "ERP",
            "url": "https://example.com/h",
            "event_types": ["person.*"],
            "condition": '{"field": "shoe_size", "op": "eq", "value": 1}',
        },
    )
    assert bad_filter.status_code == 422
    assert "condition.field" in bad_filter.content.decode()


def test_detail_log_delivery_redeliver_ping_toggle_rotate_delete(ana, receiver):
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    run_outbox()
    drain(sub)
    item = WebhookDelivery.objects.get(subscription=sub)
    web = ana.web()
    detail = web.get(reverse("integrations:webhook_detail", args=[sub.pk]))
    text = detail.content.decode()
    assert "person.created" in text and 'id="webhook-chart"' in text
    # The hour with one delivered attempt has a bar (ECharts, from json_script data).
    data = text.split('id="webhook-chart-data" type="application/json">')[1].split("</script>")[0]
    assert json.loads(data)["total_ok"] == 1
    log = web.get(reverse("integrations:webhook_log", args=[sub.pk]) + "?status=succeeded")
    assert f'data-delivery="{item.pk}"' in log.content.decode()
    failed_only = web.get(reverse("integrations:webhook_log", args=[sub.pk]) + "?status=failed")
    assert f'data-delivery="{item.pk}"' not in failed_only.content.decode()

    one = web.get(reverse("integrations:delivery_detail", args=[item.pk]))
    assert item.uid in one.content.decode() and "Vinculo-Signature" in one.content.decode()
    web.post(reverse("integrations:delivery_redeliver", args=[item.pk]))
    item.refresh_from_db()
    assert item.status == "pending" and item.manual

    web.post(reverse("integrations:webhook_ping", args=[sub.pk]))
    assert WebhookDelivery.objects.filter(subscription=sub, event_type="webhook.ping").exists()

    web.post(reverse("integrations:webhook_toggle", args=[sub.pk]))
    sub.refresh_from_db()
    assert not sub.is_active and sub.disabled_reason == "manual"
    hub = web.get(reverse("integrations:hub")).content.decode()
    assert 'id="hub-webhook-notice"' in hub and "Disabled by a person" in hub
    web.post(reverse("integrations:webhook_toggle", args=[sub.pk]))
    sub.refresh_from_db()
    assert sub.is_active

    old = sub.secret
    rotated = web.post(reverse("integrations:webhook_rotate", args=[sub.pk]), follow=True)
    sub.refresh_from_db()
    assert sub.secret != old and sub.secret in rotated.content.decode()

    edit = web.post(
        reverse("integrations:webhook_edit", args=[sub.pk]),
        {"name": "ERP 2", "url": receiver.url, "event_types": ["person.*"], "condition": ""},
    )
    assert edit.status_code == 302
    sub.refresh_from_db()
    assert sub.name == "ERP 2" and sub.event_types == ["person.*"]

    web.post(reverse("integrations:webhook_delete", args=[sub.pk]))
    assert not WebhookSubscription.objects.filter(pk=sub.pk).exists()


def test_list_and_hub(ana, receiver):
    subscribe(ana, receiver.url)
    web = ana.web()
    listed = web.get(reverse("integrations:webhooks")).content.decode()
    assert "ERP" in listed and receiver.url in listed
    hub = web.get(reverse("integrations:hub")).content.decode()
    assert reverse("integrations:webhooks") in hub
    nav = web.get(reverse("web:home")).content.decode()
    assert reverse("integrations:hub") in nav


def _nav(html: str) -> str:
    return html[html.index('<nav class="sidenav"') : html.index("</nav>", html.index("sidenav"))]


def test_one_integrations_entry_lit_on_every_integration_screen(ana):
    web = ana.web()
    hub = web.get(reverse("integrations:hub")).content.decode()
    for card, name in (
        ("hub-forms", "webforms:list"),
        ("hub-tracking", "webforms:tracking"),
        ("hub-events", "events:list"),
        ("hub-inbound", "events:endpoints"),
    ):
        assert f'id="{card}"' in hub and f'href="{reverse(name)}"' in hub, card
    for name in ("integrations:hub", "webforms:list", "webforms:tracking", "events:list"):
        nav = _nav(web.get(reverse(name)).content.decode())
        assert 'data-icon="events"' not in nav and 'data-icon="forms"' not in nav, name
        assert nav.count('class="active"') == 1, name
        lit = nav[: nav.index('class="active"')]
        assert lit.endswith(f'<a href="{reverse("integrations:hub")}" '), name
    pt = ana.web("pt-br").get(reverse("integrations:hub")).content.decode()
    assert "Rastreamento do site" in pt and "Endpoints de entrada" in pt
    home = _nav(web.get(reverse("web:home")).content.decode())
    assert home.count('class="active"') == 1
    assert f'<a href="{reverse("web:home")}" class="active"' in home


def test_bruno_sees_the_hub_but_not_the_webhooks(bruno):
    web = bruno.web()
    assert web.get(reverse("integrations:hub")).status_code == 200
    assert web.get(reverse("integrations:webhooks")).status_code == 403
    assert web.get(reverse("integrations:webhook_new")).status_code == 403


def test_carla_gets_404_on_every_screen_of_anas_webhook(ana, carla, receiver):
    sub = subscribe(ana, receiver.url, ["person.created"]).subscription
    contacts.create_person(actor=ana.actor, data={"first_name": "Joana"})
    run_outbox()
    drain(sub)
    item = WebhookDelivery.objects.get(subscription=sub)
    web = carla.web()
    assert "ERP" not in web.get(reverse("integrations:webhooks")).content.decode()
    for name in ("webhook_detail", "webhook_edit", "webhook_log"):
        assert web.get(reverse(f"integrations:{name}", args=[sub.pk])).status_code == 404, name
    for name in ("webhook_toggle", "webhook_rotate", "webhook_ping", "webhook_delete"):
        assert web.post(reverse(f"integrations:{name}", args=[sub.pk])).status_code == 404, name
    assert web.get(reverse("integrations:delivery_detail", args=[item.pk])).status_code == 404
    redeliver = web.post(reverse("integrations:delivery_redeliver", args=[item.pk]))
    assert redeliver.status_code == 404
    sub.refresh_from_db()
    assert sub.is_active and sub.name == "ERP"
    assert "disabled" not in web.get(reverse("integrations:hub")).content.decode()
    services.update_subscription(actor=ana.actor, subscription_id=sub.pk, data={"is_active": False})
    assert "hub-webhook-notice" not in web.get(reverse("integrations:hub")).content.decode()
