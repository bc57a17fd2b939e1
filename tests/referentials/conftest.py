from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def load_referentials(db):
    """Runs load_referentials on the small files of tests/referentials/fixtures (or on data_dir); returns its
    output."""

    def load(data_dir=FIXTURES, **options):
        out = StringIO()
        call_command("load_referentials", data_dir=data_dir, stdout=out, **options)
        return out.getvalue()

    return load
