"""The demo training offer: a generated LHEO feed of Nouvelle-Aquitaine (horizon/demo/lheo.py), imported through the
real importer as the source "demo", and the demo provider account made a member of its organisme de formation."""

import tempfile
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from horizon.training.models import Formation, Provider, ProviderMembership

from .lheo import DEMO_PROVIDER_SIRET, write_lheo

SOURCE = "demo"


def load_demo_training(provider_user):
    """Import the demo feed unless it was; returns the number of formations imported (0 when already there)."""
    imported = 0
    if not Formation.objects.filter(source=SOURCE).exists():
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "offre-demo.xml.gz"
            write_lheo(path)
            call_command("import_lheo", str(path), source=SOURCE, wet_run=True, stdout=StringIO())
        imported = Formation.objects.filter(source=SOURCE).count()
    provider = Provider.objects.filter(siret=DEMO_PROVIDER_SIRET).first()
    if provider is not None:
        ProviderMembership.objects.update_or_create(user=provider_user, provider=provider, defaults={"is_active": True})
    return imported
