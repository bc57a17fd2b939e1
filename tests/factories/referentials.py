import factory

from horizon.referentials.enums import EssFamily
from horizon.referentials.models import CollectiveAgreement, LegalCategory, NafCode, ProgrammeSector


class ProgrammeSectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeSector
        django_get_or_create = ("code",)

    code = "centres_sociaux"
    label = "Centres sociaux"


class LegalCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LegalCategory
        django_get_or_create = ("code",)

    code = "9220"
    label = "Association déclarée"
    ess_family = EssFamily.ASSOCIATION


class NafCodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NafCode
        django_get_or_create = ("code",)

    code = "88.99B"
    label = "Action sociale sans hébergement n.c.a."
    division_code = "88"
    division_label = "Action sociale sans hébergement"
    section_code = "Q"
    section_label = "SANTÉ HUMAINE ET ACTION SOCIALE"


class CollectiveAgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CollectiveAgreement
        django_get_or_create = ("idcc",)

    idcc = "1261"
    short_name = "ALISFA"
    title = "Convention collective nationale des acteurs du lien social et familial"
    opco = "Uniformation"
    sector = factory.SubFactory(ProgrammeSectorFactory)
