"""Who may see and change the training offer. Views, templates and the API all ask here.

The catalogue is public. A provider's members (role "Organisme de formation", through ProviderMembership) create
and edit their own offers and sessions; coordinators edit any offer and choose its programme themes.
"""

from horizon.organisations.perms import is_member, structures_of
from horizon.programmes.enums import ProgrammeRole
from horizon.programmes.perms import is_coordinator, programme_roles

from .enums import RequestStatus
from .models import ProviderMembership, TrainingRequest


def providers_of(user):
    """The providers a user manages (active memberships), computed once per request."""
    if not user.is_authenticated:
        return []
    if not hasattr(user, "_providers"):
        user._providers = list(
            ProviderMembership.objects.active().filter(user=user).select_related("provider").order_by("provider__name")
        )
    return [membership.provider for membership in user._providers]


def is_provider_member(user, provider_id):
    return provider_id is not None and any(provider.pk == provider_id for provider in providers_of(user))


def can_edit_offer(user, formation):
    return is_coordinator(user) or is_provider_member(user, formation.provider_id)


def can_create_offer(user, provider):
    return is_coordinator(user) or is_provider_member(user, provider.pk)


def can_edit_themes(user):
    return is_coordinator(user)


# Training requests (demandes) -------------------------------------------------------------------------------------
# An employer asks for a formation on behalf of one of their structures; the provider's members and the coordinators
# follow the request (accept or refuse it, confirm the enrolment, mark it done); the structure's members may cancel
# it while it is not over. Anyone else does not see it.


def can_request(user, structure):
    return is_member(user, structure.pk)


def can_list_requests(user):
    return is_coordinator(user) or bool(structures_of(user)) or bool(providers_of(user))


def requests_visible_to(user):
    """The requests a person may see: all for coordinators, else their structures' and their providers'."""
    if is_coordinator(user):
        return TrainingRequest.objects.all()
    if not user.is_authenticated:
        return TrainingRequest.objects.none()
    return TrainingRequest.objects.for_people(
        [structure.pk for structure in structures_of(user)], [provider.pk for provider in providers_of(user)]
    )


def can_view_request(user, training_request):
    return (
        is_coordinator(user)
        or is_member(user, training_request.structure_id)
        or is_provider_member(user, training_request.formation.provider_id)
    )


def can_decide_request(user, training_request):
    return is_coordinator(user) or is_provider_member(user, training_request.formation.provider_id)


def can_cancel_request(user, training_request):
    return is_member(user, training_request.structure_id)


def can_transition_request(user, training_request, to):
    """Whether `user` holds the role for this move (the life cycle itself is TrainingRequest.TRANSITIONS)."""
    if to == RequestStatus.CANCELLED:
        return can_cancel_request(user, training_request)
    return can_decide_request(user, training_request)


def request_actions(user, training_request):
    """The statuses `user` may move this request to now."""
    return [to for to in training_request.next_statuses() if can_transition_request(user, training_request, to)]


def can_view_needs_register(user):
    """Coordinators, funders and training providers (role or provider membership): as aggregates, with the
    small-group rule for all but coordinators (diagnostics.perms.sees_small_groups)."""
    roles = programme_roles(user)
    return bool(roles & {ProgrammeRole.COORDINATOR, ProgrammeRole.FUNDER, ProgrammeRole.PROVIDER}) or bool(
        providers_of(user)
    )
