from django.apps import AppConfig


class PledgesConfig(AppConfig):
    name = "thidua.pledges"
    label = "pledges"
