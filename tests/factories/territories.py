import factory

from horizon.territories.models import Commune, Departement, Epci, PostalCode, Region


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "75"
    name = "Nouvelle-Aquitaine"


class DepartementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Departement
        django_get_or_create = ("code",)

    code = "33"
    name = "Gironde"
    region = factory.SubFactory(RegionFactory)


class EpciFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Epci
        django_get_or_create = ("siren",)

    siren = "243300316"
    name = "Bordeaux Métropole"
    kind = "METRO"
    departement_codes = "33"
    region_codes = "75"


class CommuneFactory(factory.django.DjangoModelFactory):
    """Bordeaux by default; pass code/name/coordinates for others."""

    class Meta:
        model = Commune
        django_get_or_create = ("code",)

    code = "33063"
    name = "Bordeaux"
    departement = factory.SubFactory(DepartementFactory)
    epci = factory.SubFactory(EpciFactory)
    population = 261804
    latitude = 44.83802
    longitude = -0.579635


class PostalCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PostalCode

    code = "33000"
    commune = factory.SubFactory(CommuneFactory)
    label = "BORDEAUX"
