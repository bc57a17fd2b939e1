"""What the platform holds about one person, as a JSON-ready dict (right of access, GDPR art. 15 and 20)."""

from django.utils import timezone

from horizon.organisations.models import Membership
from horizon.programmes.models import ProgrammeMembership

EXPORT_FORMAT = "horizon-ess/donnees-personnelles/v1"


def _date(value):
    return value.isoformat() if value else None


def personal_data(user):
    memberships = Membership.objects.filter(user=user).select_related("structure").order_by("created_at", "pk")
    programme_memberships = (
        ProgrammeMembership.objects.filter(user=user).select_related("programme").order_by("created_at", "pk")
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "user": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "phone": user.phone,
            "job_title": user.job_title,
            "is_active": user.is_active,
            "date_joined": _date(user.date_joined),
            "last_login": _date(user.last_login),
            "terms_accepted_at": _date(user.terms_accepted_at),
        },
        "memberships": [
            {
                "structure": {
                    "id": membership.structure_id,
                    "name": membership.structure.display_name,
                    "siret": membership.structure.siret,
                    "rna": membership.structure.rna,
                },
                "role": membership.role,
                "role_label": membership.get_role_display(),
                "is_active": membership.is_active,
                "created_at": _date(membership.created_at),
            }
            for membership in memberships
        ],
        "programme_roles": [
            {
                "programme": {"id": pm.programme_id, "name": pm.programme.name, "slug": pm.programme.slug},
                "role": pm.role,
                "role_label": pm.get_role_display(),
                "organisation_name": pm.organisation_name,
                "is_active": pm.is_active,
                "created_at": _date(pm.created_at),
            }
            for pm in programme_memberships
        ],
    }
