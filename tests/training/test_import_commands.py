"""`manage.py import_lheo` and `manage.py import_cpf`: what they print, and how they fail."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from horizon.training.models import Formation

FIXTURES = Path(__file__).parent / "fixtures"
LHEO_23 = FIXTURES / "lheo" / "offre-2.3.xml"
LHEO_23_GZ = FIXTURES / "lheo" / "offre-2.3.xml.gz"
CPF_2024 = FIXTURES / "cpf" / "catalogue-2024.csv"


def run(command, *args, verbosity=1, **options):
    out = io.StringIO()
    call_command(command, *[str(arg) for arg in args], verbosity=verbosity, stdout=out, **options)
    return out.getvalue()


def row(output, label):
    """The numbers of a line of the totals table: 'Créées 3 4 5' → [3, 4, 5]."""
    line = next(line for line in output.splitlines() if line.strip().startswith(label))
    return [int(part.replace("\u202f", "")) for part in line[len(label) + 2 :].split()]


def test_import_lheo_dry_run_output(db):
    output = run("import_lheo", LHEO_23)
    assert output.splitlines()[0] == "Import LHEO (simulation)"
    assert f"Fichier : {LHEO_23} (LHEO 2.3)" in output
    assert "Source : lheo" in output
    assert "Formations lues .......... 5" in output
    assert "Rejetées ................. 2" in output
    assert row(output, "Créées") == [3, 4, 5]
    assert row(output, "Inchangées") == [0, 0, 0]
    assert "Organismes : 2 créé(s), 0 mis à jour, 0 inchangé(s)" in output
    assert "  type de parcours inconnu de dict-type-parcours (laissé vide) : 1 (parcours-de-formation 9)" in output
    assert "  commune introuvable dans le référentiel des territoires (lieu sans commune) : " in output
    assert "  + 14_AF_0001 Responsable des ressources humaines (Les Petits Débrouillards Formation)" in output
    assert (
        "  ! ligne 166, formation 14_AF_0003 : action 14_AF_0003_AC_01, session 14_SE_0003_01 : début, "
        "date invalide (20261345)"
    ) in output
    assert "  ! ligne 199, formation 14_AF_0004 : SIRET de l'organisme responsable invalide" in output
    assert output.rstrip().endswith("Relancez avec --wet-run pour enregistrer.")
    assert not Formation.objects.exists()


def test_import_lheo_wet_run_then_nothing_to_do(db):
    output = run("import_lheo", LHEO_23_GZ, wet_run=True)
    assert "(LHEO 2.3, compressé gzip)" in output
    assert output.rstrip().endswith("Import enregistré.")
    assert Formation.objects.filter(source="lheo").count() == 3
    again = run("import_lheo", LHEO_23, wet_run=True)
    assert row(again, "Créées") == [0, 0, 0]
    assert row(again, "Inchangées") == [3, 4, 5]
    assert "Mises à jour :" not in again


def test_import_lheo_source_option(db):
    run("import_lheo", LHEO_23, source="carif-na", wet_run=True)
    assert Formation.objects.filter(source="carif-na").count() == 3


def test_details_are_capped(db):
    output = run("import_lheo", LHEO_23, max_details=1)
    assert "  … et 2 autre(s) (--verbosity 2 pour tout afficher)" in output
    assert "… et" not in run("import_lheo", LHEO_23, verbosity=2)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "Fichier introuvable"),
        ("<html/>", "n'est pas un fichier LHEO : l'élément racine est « html »"),
        ("<lheo xmlns='http://lheo.gouv.fr/2.3'><offres><formation></offres></lheo>", "Erreur de syntaxe XML ligne 1"),
    ],
)
def test_import_lheo_refuses_what_it_cannot_read(db, tmp_path, content, message):
    path = tmp_path / "offre.xml"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message) as error:
        run("import_lheo", path, wet_run=True)
    assert str(error.value).endswith("Rien n'a été enregistré.")
    assert not Formation.objects.exists()


@pytest.mark.parametrize("source", ["cpf", "plateforme", ""])
def test_import_lheo_refuses_a_reserved_or_empty_source(db, source):
    with pytest.raises(CommandError, match="source"):
        run("import_lheo", LHEO_23, source=source)


def test_import_cpf_output(db):
    output = run("import_cpf", CPF_2024, wet_run=True)
    assert output.splitlines()[0] == "Import du catalogue Mon Compte Formation (enregistrement)"
    assert "Extraction du : 2024-03-15" in output
    assert row(output, "Créées") == [2, 2, 0]
    assert "  ! ligne 5, formation VIDE-2024_77567227200017 : intitulé absent" in output
    assert "  ! ligne 6, formation MGT-2024_44306184100013 : formation en double dans le fichier (ligne 2)" in output
    assert Formation.objects.filter(source="cpf").count() == 2


def test_import_cpf_refuses_a_file_without_its_columns(db, tmp_path):
    path = tmp_path / "cpf.csv"
    path.write_text("nom_of;intitule\nA;B\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Colonnes obligatoires absentes.*Rien n'a été enregistré"):
        run("import_cpf", path)


def test_exit_code_and_message_of_a_failed_command(tmp_path):
    """From the shell: a French message on stderr and a non-zero exit code."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    for command in ("import_lheo", "import_cpf"):
        result = subprocess.run(
            [sys.executable, "manage.py", command, str(tmp_path / "absent.xml")],
            cwd=settings.BASE_DIR,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 1
        assert "Fichier introuvable" in result.stderr
