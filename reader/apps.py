from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "reader"
    verbose_name = "Close Reader"

    def ready(self):
        from reader import signals  # noqa: F401 - connects the receivers
