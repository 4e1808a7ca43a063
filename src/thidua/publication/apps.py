from django.apps import AppConfig


class PublicationConfig(AppConfig):
    name = "thidua.publication"
    label = "publication"
    verbose_name = "Công bố kết quả"

    def ready(self):
        # The registry lives below publication (documents.kinds): the press release paper
        # is added to it once both apps are loaded.
        from thidua.documents.kinds import register
        from thidua.publication.paper import press_kinds

        register(press_kinds())
