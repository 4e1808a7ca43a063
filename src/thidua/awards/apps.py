from django.apps import AppConfig
from django.core import checks


class AwardsConfig(AppConfig):
    name = "thidua.awards"
    label = "awards"

    def ready(self):
        checks.register(rulebooks_load, "thidua")


def rulebooks_load(app_configs=None, **kwargs):
    """`thidua check`: a shipped rulebook that does not load is an error before serving."""
    from thidua.awards.rulebooks import RULEBOOK_DIR, RulebookError, load_library

    try:
        load_library(RULEBOOK_DIR)
    except RulebookError as exc:
        return [checks.Error(message, id="awards.E001") for message in exc.messages]
    return []
