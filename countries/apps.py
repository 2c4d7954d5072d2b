from django.apps import AppConfig


class CountriesConfig(AppConfig):
    name = "countries"
