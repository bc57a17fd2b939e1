import factory
from stdnum import luhn

from horizon.organisations.enums import HeadcountBand, MembershipRole
from horizon.organisations.models import Collective, Contact, Membership, Structure

from .accounts import UserFactory
from .referentials import LegalCategoryFactory, ProgrammeSectorFactory
from .territories import CommuneFactory


def make_siret(n):
    """A valid SIRET (Luhn) built from a sequence number."""
    siren_body = f"{80000000 + n:08d}"
    siren = siren_body + luhn.calc_check_digit(siren_body)
    body = siren + "0001"
    return body + luhn.calc_check_digit(body)


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    name = factory.Sequence(lambda n: f"Association Exemple {n}")
    siret = factory.Sequence(make_siret)
    legal_category = factory.SubFactory(LegalCategoryFactory)
    sector = factory.SubFactory(ProgrammeSectorFactory)
    headcount_band = HeadcountBand.B02
    commune = factory.SubFactory(CommuneFactory)
    postal_code = "33000"
    address = "12 rue des Lilas"

    class Params:
        without_siret = factory.Trait(siret=None, rna=factory.Sequence(lambda n: f"W33{n:07d}"))


class CollectiveFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Collective

    name = factory.Sequence(lambda n: f"Réseau {n}")
    kind = "Fédération"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    structure = factory.SubFactory(StructureFactory)
    role = MembershipRole.ADMIN


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    structure = factory.SubFactory(StructureFactory)
    first_name = "Dominique"
    last_name = "Durand"
    email = "dominique.durand@exemple.fr"
    consent_date = factory.Faker("past_date")


def employer(structure=None, role=MembershipRole.ADMIN, **user_kwargs):
    """A person who belongs to a structure (its administrator by default)."""
    return MembershipFactory(structure=structure or StructureFactory(), role=role, user=UserFactory(**user_kwargs)).user
