from django.apps import AppConfig


class VotingConfig(AppConfig):
    name = "thidua.voting"
    label = "voting"
