import factory

from horizon.accounts.models import User
from horizon.programmes.enums import ProgrammeRole
from horizon.programmes.models import Programme, ProgrammeMembership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = "Camille"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", "mot-de-passe-solide-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    name = "Horizon ESS 2021-2023"
    slug = "horizon-ess-2021-2023"


class ProgrammeMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProgrammeMembership

    user = factory.SubFactory(UserFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    role = ProgrammeRole.COORDINATOR


def user_with_role(role, **kwargs):
    """A person holding one programme role (coordinator, consultant, facilitator, provider, committee_member, funder)."""
    return ProgrammeMembershipFactory(role=role, user=UserFactory(**kwargs)).user
