"""The product's settings with the bench-only URL conf (bench/voting.py starts gunicorn
with DJANGO_SETTINGS_MODULE=voting_settings and bench/ on the path). Never deployed."""

from thidua.settings import *  # noqa: F403

ROOT_URLCONF = "voting_urls"
