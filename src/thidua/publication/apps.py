from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "thidua.publication"
    label = "publication"
    verbose_name = "Công bố kết quả"
