"""A voting card's link used the way a phone uses it: the token rides after "#" (never
sent), and ballot.js posts it in the body — to open the ballot (`the`) and, with the
marks, to cast it (`buoc=gui`)."""

from urllib.parse import urlsplit

from django.urls import reverse


def card_link(poll, token: str) -> str:
    return reverse("voting_ballot", args=[poll.pk]) + "#" + token


def split(link: str) -> tuple[str, str]:
    """(path the browser requests, token it keeps)."""
    parts = urlsplit(link)
    return parts.path, parts.fragment


def open_card(client, link: str):
    path, token = split(link)
    return client.post(path, {"the": token})


def cast_card(client, link: str, data=None):
    path, token = split(link)
    return client.post(path, {"the": token, "buoc": "gui", **(data or {})})
