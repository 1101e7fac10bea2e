"""The interface is translatable and ships a Dutch translation next to English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

import ocilink

CATALOGUE = Path(ocilink.__file__).parent / "locale" / "nl" / "LC_MESSAGES" / "django.po"


def test_the_login_page_speaks_dutch_to_a_dutch_browser(db):
    response = Client(HTTP_ACCEPT_LANGUAGE="nl").get(reverse("login"))

    assert response.status_code == 200
    assert '<html lang="nl">' in response.content.decode()
    assert "Inloggen bij ocilink" in response.content.decode()


def test_a_logged_in_buyer_can_switch_to_dutch(shop):
    client = Client()
    client.force_login(shop.user)

    client.post(reverse("set_language"), {"language": "nl", "next": "/suppliers/"})
    page = client.get(reverse("suppliers:list")).content.decode()

    assert "Leveranciers" in page
    assert "Naar de webshop" in page


@pytest.mark.skipif(not CATALOGUE.exists(), reason="the Dutch catalogue is missing")
def test_every_message_has_a_dutch_translation_and_none_is_fuzzy():
    text = CATALOGUE.read_text(encoding="utf-8")
    entries = text.split("\n\n")[1:]  # the first block is the header
    untranslated = [
        e for e in entries if re.search(r'^msgstr(\[\d\])? ""\Z', e.strip(), re.M) and not e.startswith("#~")
    ]
    fuzzy = [e for e in entries if "#, fuzzy" in e]

    assert untranslated == []
    assert fuzzy == []
    assert len(entries) > 1000
