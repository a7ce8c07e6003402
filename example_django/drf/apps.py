from django.apps import AppConfig


class DrfConfig(AppConfig):
    name = "example_django.drf"
    label = "example_drf"
    default_auto_field = "django.db.models.BigAutoField"
