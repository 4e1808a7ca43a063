"""Ports: a function a lower app needs from an app above it, supplied when Django starts.

The layers (thidua.layers) let an app import only apps below it. A few rules reach up a
year: eligibility at the conference (voting) reads the year facts and decided awards
(awards, above voting), and RULES.md 11 puts last year's decided awards into this year's
score (scoring). The lower app declares a `Port` naming what it needs; the app above
supplies it in its AppConfig.ready. No import goes up, and a port left unsupplied fails
loudly instead of silently returning nothing.
"""

from django.core.exceptions import ImproperlyConfigured


class Port:
    def __init__(self, name: str, supplier: str):
        self.name = name  # what the lower app needs, e.g. "voting.candidacy.eligibility"
        self.supplier = supplier  # the app expected to supply it, e.g. "awards"
        self._function = None

    def supply(self, function) -> None:
        self._function = function

    def __call__(self, *args, **kwargs):
        if self._function is None:
            raise ImproperlyConfigured(
                f"{self.name} is supplied by the {self.supplier} app: is it installed?")
        return self._function(*args, **kwargs)
