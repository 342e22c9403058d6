"""English and French: the French catalogue is complete, compiled, and used."""

from pathlib import Path

import polib
import pytest
from django.urls import reverse
from django.utils import translation

LOCALE = Path(__file__).resolve().parents[1] / "locale" / "fr" / "LC_MESSAGES"


def test_french_catalogue_is_complete():
    po = polib.pofile(str(LOCALE / "django.po"))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert len(po.translated_entries()) > 300


def test_compiled_catalogue_matches_the_source():
    po = polib.pofile(str(LOCALE / "django.po"))
    mo = polib.mofile(str(LOCALE / "django.mo"))
    compiled = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in mo}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == (
            entry.msgstr,
            {int(k): v for k, v in entry.msgstr_plural.items()} if entry.msgid_plural else {},
        ), f"django.mo is stale for {entry.msgid!r}: run 'make messages'"


def test_french_translations_are_active():
    with translation.override("fr"):
        assert translation.gettext("Create customer") == "Créer le client"
        assert translation.gettext("Show more") == "Afficher plus"


@pytest.mark.django_db
def test_language_follows_the_profile_else_the_browser(admin_client, admin_user):
    page = admin_client.get("/customers/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert "Clients" in page.content.decode()

    response = admin_client.post(
        reverse("accounts:language"), {"language": "en", "next": "/customers/"}
    )
    assert response.status_code == 302
    admin_user.refresh_from_db()
    assert admin_user.language == "en"
    page = admin_client.get("/customers/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert "<h1>Customers</h1>" in page.content.decode()


@pytest.mark.django_db
def test_language_switch_refuses_foreign_redirects(admin_client, admin_user):
    response = admin_client.post(
        reverse("accounts:language"), {"language": "fr", "next": "https://evil.example/"}
    )
    assert response.url == reverse("dashboard")
    admin_user.refresh_from_db()
    assert admin_user.language == "fr"


@pytest.mark.django_db
def test_rates_read_in_the_active_locale():
    from contracts.models import Rate

    rate = Rate.objects.get(name="Standard labour")
    with translation.override("fr"):
        assert str(rate) == "Standard labour (120,00 USD par heure)"
    with translation.override("en"):
        assert str(rate) == "Standard labour (120.00 USD per hour)"
