from django.apps import AppConfig


class YorisoiConfig(AppConfig):
    name = "yorisoi"
    verbose_name = "Yorisoi"
