"""The web-forms screens: list with the chart, builder (create, edit, errors, live preview,
snippet), submissions and their detail, the tracking page; Carla gets 404s on Ana's forms."""

from __future__ import annotations

import json

from django.urls import reverse

from tests.webforms.conftest import post_form
from vinculo.webforms.models import Submission, TrackingSite, WebForm


def _builder_post(**extra):
    data = {
        "name": "Café da manhã",
        "language": "pt-br",
        "is_active": "on",
        "use_first_name": "on",
        "order_first_name": "1",
        "use_email": "on",
        "order_email": "2",
        "required_email": "on",
        "label_email": "Seu e-mail",
        "use_city": "on",
        "order_city": "3",
        "tags": "café, manhã",
        "lifecycle_stage": "lead",
        "min_seconds": "3",
        "consent_channel": "email",
        "consent_legal_basis": "consent",
        "allowed_domains": "www.padaria-aurora.com.br\nloja.aurora.com",
    }
    data.update(extra)
    return data


def test_the_list_shows_forms_counts_and_the_conversion_chart(ana, lead_form):
    post_form(lead_form, {"first_name": "Joana", "email": "j@ex.com.br"})
    page = ana.web().get(reverse("webforms:list"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Newsletter da padaria" in html
    assert 'id="conversion-chart"' in html and 'data-chart="conversion-chart-data"' in html
    data = html.split('id="conversion-chart-data" type="application/json">')[1].split("</script>")[
        0
    ]
    views, submissions = json.loads(data)["series"]
    assert sum(submissions["values"]) == 1 and len(views["values"]) == 30
    assert f'href="/forms/{lead_form.pk}/submissions/">1</a>' in html


def test_the_builder_creates_a_form_with_fields_in_order(ana):
    client = ana.web()
    assert client.get(reverse("webforms:create")).status_code == 200
    response = client.post(reverse("webforms:create"), _builder_post())
    form = WebForm.objects.get(workspace=ana.workspace)
    assert response.status_code == 302 and response["Location"] == f"/forms/{form.pk}/"
    assert [f["key"] for f in form.fields] == ["first_name", "email", "city"]
    assert form.fields[1] == {
        "key": "email",
        "label": "Seu e-mail",
        "placeholder": "",
        "required": True,
    }
    assert form.tags == ["café", "manhã"]
    assert form.allowed_domains == ["www.padaria-aurora.com.br", "loja.aurora.com"]
    page = client.get(response["Location"]).content.decode()
    # the snippet: a plain form posting to the public endpoint, and our script
    assert f"http://testserver/f/{form.public_key}/submit" in page
    assert "webforms/form.js" in page and "data-copy" in page
    assert f"/f/{form.public_key}" in page


def test_the_builder_shows_errors_next_to_fields_and_keeps_the_input(ana):
    response = ana.web().post(
        reverse("webforms:create"),
        _builder_post(name="", use_email="", consent_enabled="on", min_seconds="x"),
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "Add an email or phone field" in html
    assert "Write the text shown next to the checkbox." in html
    assert "Enter a whole number of seconds" in html
    assert not WebForm.objects.exists()


def test_the_live_preview_draws_the_unsaved_definition(ana):
    response = ana.web().post(
        reverse("webforms:preview"),
        _builder_post(consent_enabled="on", consent_text="Aceito receber e-mails."),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Seu e-mail" in html and "Aceito receber e-mails." in html
    assert 'name="city"' in html and "disabled" in html
    assert not WebForm.objects.exists()


def test_editing_keeps_the_public_key(ana, lead_form):
    key = lead_form.public_key
    client = ana.web()
    assert client.get(reverse("webforms:edit", args=[lead_form.pk])).status_code == 200
    response = client.post(
        reverse("webforms:edit", args=[lead_form.pk]), _builder_post(name="Novo nome")
    )
    assert response.status_code == 302
    lead_form.refresh_from_db()
    assert (lead_form.name, lead_form.public_key) == ("Novo nome", key)


def test_submissions_and_their_detail(ana, lead_form):
    post_form(lead_form, {"first_name": "Joana", "email": "j@ex.com.br", "city": "Olinda"})
    post_form(lead_form, {"first_name": "Bot", "email": "b@ex.com.br"}, age=0)
    client = ana.web()
    page = client.get(reverse("webforms:submissions", args=[lead_form.pk]))
    html = page.content.decode()
    assert "Joana" in html and "sent too fast" in html
    spam_only = client.get(reverse("webforms:submissions", args=[lead_form.pk]), {"status": "spam"})
    assert "j@ex.com.br" not in spam_only.content.decode()
    accepted = Submission.objects.get(status="accepted")
    detail = client.get(reverse("webforms:submission", args=[lead_form.pk, accepted.pk]))
    html = detail.content.decode()
    assert "Olinda" in html and accepted.ip_hash in html and "Seu nome" in html


def test_the_tracking_page_shows_the_snippet_and_saves_domains(ana):
    client = ana.web()
    page = client.get(reverse("webforms:tracking"))
    site = TrackingSite.objects.get(workspace=ana.workspace)
    assert f"data-key=&quot;{site.public_key}&quot;" in page.content.decode()
    assert "webforms/t.js" in page.content.decode()
    saved = client.post(
        reverse("webforms:tracking"), {"allowed_domains": "aurora.com\nhttps://x.com.br/a"}
    )
    assert saved.status_code == 302
    site.refresh_from_db()
    assert site.allowed_domains == ["aurora.com", "x.com.br"]
    bad = client.post(reverse("webforms:tracking"), {"allowed_domains": "não é domínio"})
    assert bad.status_code == 422


def test_a_viewer_sees_forms_read_only(ana, vera, lead_form):
    client = vera.web()
    assert 'id="new-form"' not in client.get(reverse("webforms:list")).content.decode()
    assert client.post(reverse("webforms:create"), _builder_post()).status_code == 403
    assert client.post(reverse("webforms:delete", args=[lead_form.pk])).status_code == 403


def test_deleting_a_form(ana, lead_form):
    response = ana.web().post(reverse("webforms:delete", args=[lead_form.pk]))
    assert response.status_code == 302
    assert not WebForm.objects.exists()


def test_carla_gets_404_on_every_screen_of_anas_forms(ana, carla, lead_form):
    post_form(lead_form, {"first_name": "Joana", "email": "j@ex.com.br"})
    submission = Submission.objects.get()
    client = carla.web()
    assert "Newsletter da padaria" not in client.get(reverse("webforms:list")).content.decode()
    for url in (
        reverse("webforms:edit", args=[lead_form.pk]),
        reverse("webforms:submissions", args=[lead_form.pk]),
        reverse("webforms:submission", args=[lead_form.pk, submission.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("webforms:delete", args=[lead_form.pk])).status_code == 404
    assert (
        client.post(reverse("webforms:edit", args=[lead_form.pk]), _builder_post()).status_code
        == 404
    )
    assert WebForm.objects.filter(pk=lead_form.pk, name="Newsletter da padaria").exists()
    # her tracking page shows her own key
    page = client.get(reverse("webforms:tracking")).content.decode()
    ana_site = TrackingSite.objects.filter(workspace=ana.workspace).first()
    assert ana_site is None or ana_site.public_key not in page


def test_the_live_preview_lists_definition_problems_and_still_draws(ana):
    response = ana.web().post(
        reverse("webforms:preview"),
        _builder_post(use_email="", consent_enabled="on", consent_text="Aceito."),
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Add an email or phone field" in html
    assert 'name="first_name"' in html and "Aceito." in html
