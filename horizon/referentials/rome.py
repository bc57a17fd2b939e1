"""Loads ROME 4.0 from data/rome/ (France Travail open data, see data/README.md): fiches with their professional
domain, appellations, skills (savoir-faire and savoir-être from the competences file, savoirs from their own file)
and the skills of each fiche, marked core when the fiche's coherence file calls them "Principale"."""

from .enums import RomeSkillKind
from .loading import BadRow, add_unique, check_known, count, read_csv, sync
from .models import RomeAppellation, RomeFiche, RomeFicheSkill, RomeSkill

FILES = (
    "rome/rome_fiches.csv",
    "rome/rome_fiches_domaines.csv",
    "rome/rome_appellations.csv",
    "rome/rome_competences.csv",
    "rome/rome_savoirs.csv",
    "rome/rome_liens_fiche_items.csv",
    "rome/rome_coherence_items.csv",
)
SKILLS_BLOCK = "5"  # code_compo_bloc of the skills in rome_liens_fiche_items (see rome_blocs.csv)
CORE = "Principale"
COMPETENCE_KINDS = {
    "Savoir-faire": RomeSkillKind.KNOW_HOW,
    "Savoir-être professionnel": RomeSkillKind.SOFT_SKILL,
}


def load_rome(data_dir):
    directory = data_dir / "rome"
    fiches = read_fiches(directory / "rome_fiches.csv", directory / "rome_fiches_domaines.csv")
    appellations = read_appellations(directory / "rome_appellations.csv", fiches)
    skills = read_skills(directory / "rome_competences.csv", directory / "rome_savoirs.csv")
    core = read_core_items(directory / "rome_coherence_items.csv")
    links, skipped = read_fiche_skills(directory / "rome_liens_fiche_items.csv", fiches, skills, core)
    lines = [
        sync(RomeFiche, fiches.values(), ["code"], ["label", "domain_code", "domain_label"]).report("Fiches ROME"),
        sync(RomeAppellation, appellations, ["code"], ["label", "short_label", "fiche"]).report("Appellations ROME"),
        sync(RomeSkill, skills.values(), ["code"], ["label", "kind", "category"]).report("Compétences et savoirs ROME"),
        sync(RomeFicheSkill, links, ["fiche", "skill"], ["is_core"], remove_stale=True).report(
            "Compétences des fiches ROME"
        ),
    ]
    if skipped:
        lines.append(f"Compétences des fiches ROME : {count(skipped, 'lien ignoré', 'liens ignorés')} (code inconnu)")
    return lines


def read_fiches(path, domains_path):
    domains = {
        row["code_rome"]: (row["code_domaine_professionel"], row["libelle_domaine_professionel"])
        for _, row in read_csv(domains_path, ["code_rome", "code_domaine_professionel", "libelle_domaine_professionel"])
    }
    fiches = {}
    for line, row in read_csv(path, ["code_rome", "libelle_rome"]):
        domain_code, domain_label = domains.get(row["code_rome"], ("", ""))
        fiche = {
            "code": row["code_rome"],
            "label": row["libelle_rome"],
            "domain_code": domain_code,
            "domain_label": domain_label,
        }
        add_unique(fiches, row["code_rome"], fiche, path, line)
    return fiches


def read_appellations(path, fiches):
    appellations = {}
    for line, row in read_csv(path, ["code_ogr", "libelle_appellation_long", "libelle_appellation_court", "code_rome"]):
        check_known(path, line, row["code_rome"], fiches, "fiche ROME inconnue")
        appellation = {
            "code": row["code_ogr"],
            "label": row["libelle_appellation_long"],
            "short_label": row["libelle_appellation_court"],
            "fiche_id": row["code_rome"],
        }
        add_unique(appellations, row["code_ogr"], appellation, path, line)
    return appellations.values()


def read_skills(competences_path, savoirs_path):
    """Competences and savoirs share RomeSkill, keyed by OGR code: France Travail numbers both from one sequence
    (no code is shared in v460). Should a release ever share one, the load stops rather than merge two skills."""
    skills = {}
    for line, row in read_csv(competences_path, ["code_ogr", "libelle_competence", "cat_comp", "sous_cat_comp"]):
        check_known(competences_path, line, row["cat_comp"], COMPETENCE_KINDS, "catégorie de compétence inconnue")
        skill = {
            "code": row["code_ogr"],
            "label": row["libelle_competence"],
            "kind": COMPETENCE_KINDS[row["cat_comp"]],
            "category": row["sous_cat_comp"],
        }
        add_unique(skills, row["code_ogr"], skill, competences_path, line)
    competences = set(skills)
    for line, row in read_csv(savoirs_path, ["code_ogr_savoir", "libelle_savoir", "categorie_savoir"]):
        code = row["code_ogr_savoir"]
        if code in competences:
            raise BadRow(savoirs_path, line, f"le code OGR « {code} » est aussi celui d'une compétence.")
        skill = {
            "code": code,
            "label": row["libelle_savoir"],
            "kind": RomeSkillKind.KNOWLEDGE,
            "category": row["categorie_savoir"],
        }
        add_unique(skills, code, skill, savoirs_path, line)
    return skills


def read_core_items(path):
    """(fiche code, OGR code) of the items that are core to a fiche."""
    return {
        (row["code_rome"], row["code_ogr"])
        for _, row in read_csv(path, ["code_rome", "code_ogr", "coeur_metier"])
        if row["coeur_metier"] == CORE
    }


def read_fiche_skills(path, fiches, skills, core):
    """The skill links of each fiche (block 5) and how many were skipped because a code is unknown."""
    links, skipped = [], 0
    for _, row in read_csv(path, ["code_rome", "code_compo_bloc", "code_ogr"]):
        if row["code_compo_bloc"] != SKILLS_BLOCK:
            continue
        key = (row["code_rome"], row["code_ogr"])
        if key[0] not in fiches or key[1] not in skills:
            skipped += 1
            continue
        links.append({"fiche_id": key[0], "skill_id": key[1], "is_core": key in core})
    return links, skipped
