"""Who may see, answer, reopen and export questionnaire responses. Views, templates and the API all ask here.

A structure's answers are seen by its members and by the coordinators; only members answer (coordinators read,
they never answer for an employer), only coordinators reopen a submitted response or export them all.
"""

from horizon.organisations.perms import is_member
from horizon.programmes.perms import is_coordinator


def can_view_response(user, response):
    return is_coordinator(user) or is_member(user, response.structure_id)


def can_edit_response(user, response):
    return response.is_draft and is_member(user, response.structure_id)


def can_reopen_response(user, response):
    return not response.is_draft and is_coordinator(user)


def can_start_response(user, structure):
    return is_member(user, structure.pk)


def can_view_structure_responses(user, structure):
    return is_coordinator(user) or is_member(user, structure.pk)


def can_export_responses(user):
    return is_coordinator(user)
