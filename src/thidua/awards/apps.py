from django.apps import AppConfig

from thidua.scoring import ports as scoring_ports
from thidua.voting import ports as voting_ports


class AwardsConfig(AppConfig):
    name = "thidua.awards"
    label = "awards"

    def ready(self):
        """Supply the ports of the apps below that read awards' data (core.ports)."""
        from thidua.awards import services  # noqa: PLC0415 - it loads models: after ready

        voting_ports.bloc_eligibility.supply(services.bloc_eligibility)
        scoring_ports.last_year_awards.supply(services.last_year_awards)
