"""Public submits of a web form: what a good post writes, and every way a post is refused."""

from __future__ import annotations

from django.test import Client, override_settings
from django.urls import reverse

from tests.webforms.conftest import post_form, post_json, token
from vinculo.activities.models import TimelineEntry
from vinculo.contacts import services as contacts
from vinculo.contacts.models import Consent, Person
from vinculo.core.models import DomainEvent
from vinculo.events.models import TrackedEvent
from vinculo.webforms import services
from vinculo.webforms.models import Submission, SubmissionStatus


def _nothing_written(workspace) -> None:
    assert not Person.objects.for_workspace(workspace).exists()
    assert not DomainEvent.objects.for_workspace(workspace).filter(name="form.submitted").exists()
    assert not TrackedEvent.objects.for_workspace(workspace).exists()
    assert not Submission.objects.for_workspace(workspace).filter(status="accepted").exists()


def test_a_good_post_creates_the_person_with_consent_tags_timeline_and_event(ana, lead_form):
    response = post_form(
        lead_form,
        {
            "first_name": "Joana",
            "email": "Joana@Exemplo.com.br",
            "phone": "(11) 98765-4321",
            "consent": "yes",
            "_page": "https://padaria-aurora.com.br/contato",
        },
        REMOTE_ADDR="203.0.113.9",
        HTTP_USER_AGENT="Firefox de teste",
    )
    assert response.status_code == 302  # post/redirect/get: a reload does not post again
    assert "Obrigado!" in Client().get(response["Location"]).content.decode()

    person = Person.objects.get(workspace=ana.workspace)
    assert (person.first_name, person.email, person.phone) == (
        "Joana",
        "joana@exemplo.com.br",
        "+5511987654321",
    )
    assert person.source == "site"
    assert person.lifecycle_stage.key == "lead"
    assert sorted(t.name for t in person.tags.all()) == ["newsletter", "site"]

    submission = Submission.objects.get(form=lead_form)
    assert submission.status == SubmissionStatus.ACCEPTED
    assert submission.person == person and submission.person_created
    assert submission.ip_hash and "203.0.113.9" not in submission.ip_hash
    assert submission.user_agent == "Firefox de teste"
    assert submission.page_url == "https://padaria-aurora.com.br/contato"

    consent = Consent.objects.get(person=person, channel="email")
    assert (consent.status, consent.method, consent.legal_basis) == (
        "opted_in",
        "web_form",
        "consent",
    )
    assert f"submission {submission.pk}" in consent.evidence
    assert "203.0.113.9" in consent.evidence
    assert "Quero receber novidades por e-mail." in consent.evidence

    entry = TimelineEntry.objects.get(person=person, kind="event.form_submitted")
    assert "Newsletter da padaria" in entry.summary
    tracked = TrackedEvent.objects.get(workspace=ana.workspace, name="form_submitted")
    assert tracked.person == person and tracked.source == "form"

    event = DomainEvent.objects.get(workspace=ana.workspace, name="form.submitted")
    assert event.subject_type == "person" and event.subject_id == str(person.pk)
    assert event.payload["form"] == {"id": lead_form.pk, "name": "Newsletter da padaria"}
    assert event.payload["submission_id"] == submission.pk
    assert event.payload["person_created"] is True
    assert event.payload["fields"]["email"] == "joana@exemplo.com.br"


def test_a_second_post_with_the_same_email_updates_and_never_duplicates(ana, lead_form):
    existing = contacts.create_person(
        actor=ana.actor,
        data={"first_name": "Joana", "last_name": "Prado", "email": "joana@exemplo.com.br",
              "tags": ["vip"]},
    )  # fmt: skip
    response = post_form(
        lead_form,
        {"first_name": "Outro Nome", "email": "JOANA@exemplo.com.br", "city": "Recife"},
    )
    assert response.status_code == 302
    assert Person.objects.for_workspace(ana.workspace).count() == 1
    existing.refresh_from_db()
    # blanks filled, what the CRM knew kept, tags added to the existing ones
    assert (existing.first_name, existing.city) == ("Joana", "Recife")
    assert sorted(t.name for t in existing.tags.all()) == ["newsletter", "site", "vip"]
    submission = Submission.objects.get(form=lead_form)
    assert submission.person == existing and not submission.person_created
    # no consent box ticked: none recorded
    assert not Consent.objects.filter(person=existing).exists()


def test_a_post_matches_by_phone_when_the_email_is_new(ana, lead_form):
    existing = contacts.create_person(
        actor=ana.actor, data={"first_name": "Rui", "mobile_phone": "+5581987654321"}
    )
    post_form(lead_form, {"first_name": "Rui", "email": "rui@ex.com.br", "phone": "81987654321"})
    assert Person.objects.for_workspace(ana.workspace).count() == 1
    existing.refresh_from_db()
    assert existing.email == "rui@ex.com.br"


def test_a_missing_required_field_is_refused_next_to_the_field_and_writes_nothing(ana, lead_form):
    response = post_form(lead_form, {"first_name": "Joana", "email": ""})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'data-error-for="email"' in html
    assert "This field is required." in html
    assert 'value="Joana"' in html  # what was typed is kept
    _nothing_written(ana.workspace)


def test_a_bad_email_in_json_is_a_problem_naming_the_field(ana, lead_form):
    response = post_json(
        lead_form, {"fields": {"first_name": "Joana", "email": "joana@"}, "consent": True}
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == ["email"]
    _nothing_written(ana.workspace)


def test_required_consent_is_refused_when_unticked(ana, lead_form):
    services.update_form(actor=ana.actor, form_id=lead_form.pk, data={"consent_required": True})
    lead_form.refresh_from_db()
    response = post_json(lead_form, {"fields": {"first_name": "Ana", "email": "a@ex.com.br"}})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "consent"
    _nothing_written(ana.workspace)


def test_a_bot_speed_post_is_refused_with_a_clear_message_and_logged_as_spam(ana, lead_form):
    response = post_form(lead_form, {"first_name": "Bot", "email": "bot@ex.com.br"}, age=0.5)
    assert response.status_code == 422
    assert "That was too fast" in response.content.decode()
    _nothing_written(ana.workspace)
    spam = Submission.objects.get(form=lead_form)
    assert (spam.status, spam.reason) == ("spam", "too_fast")
    assert spam.data["email"] == "bot@ex.com.br"


def test_a_bot_speed_json_post_is_a_422_problem(ana, lead_form):
    response = post_json(lead_form, {"fields": {"first_name": "B", "email": "b@ex.com"}}, age=1)
    assert response.status_code == 422
    body = response.json()
    assert body["title"] == "Submission refused"
    assert body["errors"][0]["code"] == "too_fast"


def test_the_minimum_time_is_set_per_form(ana, lead_form):
    services.update_form(actor=ana.actor, form_id=lead_form.pk, data={"min_seconds": 0})
    lead_form.refresh_from_db()
    response = post_json(lead_form, {"fields": {"first_name": "Rá", "email": "ra@ex.com"}}, age=0)
    assert response.status_code == 201


def test_the_honeypot_refuses_and_logs(ana, lead_form):
    response = post_form(
        lead_form, {"first_name": "Bot", "email": "bot@ex.com.br", "_website": "http://spam"}
    )
    assert response.status_code == 422
    assert "looks automated" in response.content.decode()
    _nothing_written(ana.workspace)
    assert Submission.objects.get(form=lead_form).reason == "honeypot"


def test_forged_stale_and_foreign_tokens_are_refused(ana, lead_form):
    other = services.create_form(
        actor=ana.actor,
        data={"name": "Outro", "fields": [{"key": "first_name"}, {"key": "email"}]},
    )
    cases = [
        ("forged_token", lead_form, "not-a-signed-token"),
        ("forged_token", lead_form, token(other)),
        ("stale_token", lead_form, token(lead_form, age=services.TOKEN_MAX_AGE + 60)),
    ]
    for reason, form, bad in cases:
        response = Client().post(
            reverse("webforms:submit", args=[form.public_key]),
            {"first_name": "X", "email": "x@ex.com.br", "_vt": bad},
        )
        assert response.status_code == 422, reason
    _nothing_written(ana.workspace)
    reasons = list(Submission.objects.filter(form=lead_form).values_list("reason", flat=True))
    assert sorted(reasons) == ["forged_token", "forged_token", "stale_token"]


def test_a_post_without_token_asks_to_confirm_with_a_fresh_one(ana, lead_form):
    """A snippet on a page where our script did not run posts without a token: the hosted page
    comes back with the values kept and a fresh token; sending again works."""
    url = reverse("webforms:submit", args=[lead_form.public_key])
    response = Client().post(url, {"first_name": "Lia", "email": "lia@ex.com.br"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Please check your details and send the form again." in html
    assert 'value="lia@ex.com.br"' in html
    assert not Submission.objects.exists()
    fresh = html.split('name="_vt" value="')[1].split('"')[0]
    assert fresh


@override_settings(WEBFORMS_RATE_PER_IP="2/600")
def test_the_rate_limit_per_ip_answers_429_and_logs_once(ana, lead_form):
    for i in range(2):
        ok = post_json(lead_form, {"fields": {"first_name": "P", "email": f"p{i}@ex.com"}})
        assert ok.status_code == 201
    for _ in range(2):
        refused = post_json(lead_form, {"fields": {"first_name": "P", "email": "p9@ex.com"}})
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) >= 1
        assert "Too many submissions" in refused.json()["detail"]
    assert Submission.objects.filter(reason="rate_limited").count() == 1
    assert Person.objects.for_workspace(ana.workspace).count() == 2
    # another address is not limited by the first one's posts
    other = post_json(
        lead_form,
        {"fields": {"first_name": "Q", "email": "q@ex.com"}},
        REMOTE_ADDR="198.51.100.7",
    )
    assert other.status_code == 201


@override_settings(WEBFORMS_RATE_PER_FORM="1/60")
def test_the_rate_limit_per_form_holds_whatever_the_ip(ana, lead_form):
    first = post_json(lead_form, {"fields": {"first_name": "A", "email": "a@ex.com"}})
    second = post_json(
        lead_form, {"fields": {"first_name": "B", "email": "b@ex.com"}}, REMOTE_ADDR="10.9.9.9"
    )
    assert (first.status_code, second.status_code) == (201, 429)


def test_an_inactive_or_unknown_form_is_404(ana, lead_form):
    services.update_form(actor=ana.actor, form_id=lead_form.pk, data={"is_active": False})
    assert post_form(lead_form, {"first_name": "A", "email": "a@ex.com"}).status_code == 404
    assert Client().get(reverse("webforms:hosted", args=[lead_form.public_key])).status_code == 404
    response = post_json(lead_form, {"fields": {}})
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_a_redirect_url_sends_the_browser_on(ana, lead_form):
    services.update_form(
        actor=ana.actor,
        form_id=lead_form.pk,
        data={"redirect_url": "https://padaria-aurora.com.br/obrigado"},
    )
    lead_form.refresh_from_db()
    response = post_form(lead_form, {"first_name": "A", "email": "a@ex.com"})
    assert response.status_code == 302
    assert response["Location"] == "https://padaria-aurora.com.br/obrigado"


def test_custom_fields_are_validated_by_the_contacts_rules(ana, lead_form):
    contacts.create_custom_field(
        actor=ana.actor,
        data={"object_type": "person", "key": "filhos", "label": "Filhos", "field_type": "number"},
    )
    services.update_form(
        actor=ana.actor,
        form_id=lead_form.pk,
        data={
            "fields": [
                {"key": "first_name"},
                {"key": "email"},
                {"key": "custom_fields.filhos", "label": "Quantos filhos?"},
            ]
        },
    )
    lead_form.refresh_from_db()
    bad = post_json(
        lead_form,
        {"fields": {"first_name": "A", "email": "a@ex.com", "custom_fields.filhos": "dois"}},
    )
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "custom_fields.filhos"
    good = post_json(
        lead_form,
        {"fields": {"first_name": "A", "email": "a@ex.com", "custom_fields.filhos": "2"}},
    )
    assert good.status_code == 201
    person = Person.objects.get(workspace=ana.workspace)
    assert person.custom_fields["filhos"] in ("2", "2.000000")


def test_the_hosted_page_is_public_in_the_forms_language_and_counts_a_view(ana, lead_form):
    response = Client().get(reverse("webforms:hosted", args=[lead_form.public_key]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Padaria Aurora" in html and "Newsletter da padaria" in html
    assert 'name="_website"' in html and 'name="_vt" value="' in html
    assert "Quero receber novidades por e-mail." in html
    assert 'lang="en"' in html
    from vinculo.webforms.models import FormDailyStat

    assert FormDailyStat.objects.get(form=lead_form).views == 1


@override_settings(WEBFORMS_RATE_PER_IP="1/600", WEBFORMS_RATE_PER_FORM="3/60")
def test_one_flooding_address_does_not_use_up_the_forms_allowance(ana, lead_form):
    codes = [
        post_json(lead_form, {"fields": {"first_name": "F", "email": f"f{i}@ex.com"}}).status_code
        for i in range(5)
    ]
    assert codes == [201, 429, 429, 429, 429]
    other = post_json(
        lead_form,
        {"fields": {"first_name": "G", "email": "g@ex.com"}},
        REMOTE_ADDR="198.51.100.8",
    )
    assert other.status_code == 201


def test_a_reload_of_the_thank_you_page_does_not_send_the_form_again(ana, lead_form):
    response = post_form(lead_form, {"first_name": "Joana", "email": "joana@ex.com.br"})
    assert response.status_code == 302
    browser = Client()
    for _reload in range(2):
        page = browser.get(response["Location"]).content.decode()
        assert 'id="form-success"' in page
    assert Submission.objects.filter(form=lead_form).count() == 1
