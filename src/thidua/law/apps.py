from django.apps import AppConfig
from django.core import checks

from thidua.law.rulebooks import RULEBOOK_DIR, RulebookError, load_library


class LawConfig(AppConfig):
    name = "thidua.law"
    label = "law"

    def ready(self):
        checks.register(rulebooks_load, "thidua")


def rulebooks_load(app_configs=None, **kwargs):
    """`thidua check`: a shipped rulebook that does not load is an error before serving."""
    try:
        load_library(RULEBOOK_DIR)
    except RulebookError as exc:
        return [checks.Error(message, id="law.E001") for message in exc.messages]
    return []
