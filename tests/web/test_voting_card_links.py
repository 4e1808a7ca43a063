"""The ballot link in a voting card's QR code (thidua.voting.links): THIDUA_PUBLIC_URL wins on
the printed sheet (a document) and on the page; without it the page uses the address it was
opened at and the document the first allowed host with `thidua serve`'s port."""

import re

import pytest
from django.test import override_settings
from django.urls import reverse
from tests.factories import leader_election

from documents.test_documents import cell_lines, read
from thidua.documents import services as documents
from thidua.voting import services

from .page import parse

PUBLIC = "https://thidua.bacninh.gov.vn"


@pytest.fixture
def poll(world, present):
    return leader_election(world, present)


def sheet_urls(world, poll):
    """The links printed under the QR codes of the sheet of cards (a document)."""
    services.issue_cards(world.actor("leader"), poll)
    doc = read(documents.draft(world.actor("leader"), "the-bieu-quyet", poll.pk).content)
    return [cell_lines(c)[4] for row in doc.tables[1].rows for c in row.cells
            if cell_lines(c)[1]]


def page_urls(client, poll):
    client.post(reverse("voting_poll_cards_issue", args=[poll.pk]))
    response = client.get(reverse("voting_poll_cards", args=[poll.pk]))
    return [a.attrs["href"] for a in parse(response).by_id("cac-the").find_all("a")]


def links_of(urls, base, poll):
    return all(re.fullmatch(rf"{re.escape(base)}/bo-phieu/{poll.pk}/phieu/#phieu_[\w-]+", u)
               for u in urls) and len(urls) == 5


@override_settings(THIDUA_PUBLIC_URL=PUBLIC)
def test_the_public_url_is_in_every_card_printed_or_shown(world, poll, as_who):
    assert links_of(sheet_urls(world, poll), PUBLIC, poll)
    assert links_of(page_urls(as_who("leader"), poll), PUBLIC, poll)


@override_settings(THIDUA_PUBLIC_URL="", THIDUA_BIND="0.0.0.0:8080",
                   ALLOWED_HOSTS=["192.168.1.10", "testserver"])
def test_without_it_the_page_uses_its_address_and_the_sheet_the_first_host(world, poll, as_who):
    assert links_of(sheet_urls(world, poll), "http://192.168.1.10:8080", poll)
    assert links_of(page_urls(as_who("leader"), poll), "http://testserver", poll)


@override_settings(THIDUA_PUBLIC_URL="", PRODUCTION=True,
                   ALLOWED_HOSTS=[".bacninh.gov.vn", "testserver"])
def test_in_production_without_it_the_sheet_uses_https_and_the_first_host(world, poll):
    assert links_of(sheet_urls(world, poll), "https://bacninh.gov.vn", poll)
