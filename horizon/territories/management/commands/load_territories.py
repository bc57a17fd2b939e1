from horizon.referentials.loading import LoadCommand
from horizon.territories.loaders import FILES, load_territories


class Command(LoadCommand):
    help = (
        "Charge les régions, départements, EPCI, communes et codes postaux depuis data/territories/. "
        "Sans effet si les fichiers n'ont pas changé depuis le dernier chargement."
    )
    dataset = "territories"
    title = "Territoires"
    files = FILES

    def load(self, data_dir):
        return load_territories(data_dir)
