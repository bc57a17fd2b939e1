"""Who may see a diagnostic's restitution, work on its action plan, and see the aggregates.

A diagnostic is a questionnaire response: its restitution is seen by whoever may see the response (the
structure's members and the coordinators, see questionnaires.perms). The action plan is the structure's own:
its members write it, coordinators read it. Consultants and committee members see no diagnostic.
Aggregates (levels by theme, needs by territory) are for coordinators, who are entitled to the rows, and for
funders, who see only groups of at least settings.SMALL_GROUP_K structures.
"""

from horizon.organisations.perms import is_member
from horizon.programmes.enums import ProgrammeRole
from horizon.programmes.perms import is_coordinator, programme_roles
from horizon.questionnaires.perms import can_view_response


def can_view_restitution(user, response):
    return not response.is_draft and can_view_response(user, response)


def can_view_action_plan(user, structure):
    return is_coordinator(user) or is_member(user, structure.pk)


def can_edit_action_plan(user, structure):
    return is_member(user, structure.pk)


def can_view_aggregates(user):
    return bool(programme_roles(user) & {ProgrammeRole.COORDINATOR, ProgrammeRole.FUNDER})


def sees_small_groups(user):
    """Whether aggregates covering fewer than k structures are shown to this person (entitled to the rows)."""
    return is_coordinator(user)
