"""The pt-BR catalogue is complete and compiled."""

from __future__ import annotations

from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

LOCALE = (
    Path(__file__).resolve().parents[1] / "src" / "vinculo" / "locale" / "pt_BR" / "LC_MESSAGES"
)


def _messages(catalog):
    """Messages by (context, id): one id may have several contexts ("Overdue" for a task, for a
    deal's expected close), each its own translation."""
    return {
        (m.context, tuple(m.id) if isinstance(m.id, list | tuple) else m.id): m
        for m in catalog
        if m.id
    }


def test_every_message_is_translated_and_none_is_fuzzy():
    with (LOCALE / "django.po").open("rb") as f:
        po = _messages(read_po(f))
    assert len(po) > 50
    untranslated = [m.id for m in po.values() if not all(m.string) if isinstance(m.string, tuple)]
    untranslated += [m.id for m in po.values() if not m.string]
    fuzzy = [m.id for m in po.values() if m.fuzzy]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_the_compiled_catalogue_matches_the_source():
    with (LOCALE / "django.po").open("rb") as f:
        po = _messages(read_po(f))
    with (LOCALE / "django.mo").open("rb") as f:
        mo = _messages(read_mo(f))

    def text(message):
        s = message.string
        return tuple(s) if isinstance(s, list | tuple) else s

    stale = [k for k, m in po.items() if k not in mo or text(mo[k]) != text(m)]
    assert not stale, f"run `make messages`: {stale[:5]}"
