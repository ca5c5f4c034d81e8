"""The data-quality hub shows this workspace's tools and nothing of another workspace."""

from __future__ import annotations

from vinculo.quality.services import rules


def _rule(persona, field: str) -> None:
    rules.create_entry_rule(
        actor=persona.actor, data={"object_type": "person", "field": field, "kind": "required"}
    )


def test_the_hub_counts_this_workspace_only(ana, carla):
    _rule(ana, "email")
    _rule(ana, "phone")
    page = ana.web().get("/quality/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="hub-rules"' in html and '<strong class="counter-value">2</strong>' in html
    assert 'id="hub-imports"' in html  # the owner may import

    other = carla.web().get("/quality/").content.decode()
    assert '<strong class="counter-value">2</strong>' not in other


def test_a_viewer_sees_the_hub_without_the_import_tool(vera):
    page = vera.web("pt-br").get("/quality/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Qualidade dos dados" in html
    assert 'id="hub-imports"' not in html and 'id="hub-exports"' not in html


def test_the_main_navigation_links_to_the_hub(bruno):
    assert 'href="/quality/"' in bruno.web().get("/").content.decode()
