from horizon.referentials.loaders import FILES, load_referentials
from horizon.referentials.loading import LoadCommand
from horizon.referentials.rome import FILES as ROME_FILES
from horizon.referentials.rome import load_rome


class Command(LoadCommand):
    help = (
        "Charge les référentiels depuis data/ : secteurs du programme, NAF, catégories juridiques, conventions "
        "collectives, NSF, LHEO et ROME. Sans effet si les fichiers n'ont pas changé depuis le dernier chargement."
    )
    dataset = "referentials"
    title = "Référentiels"
    files = FILES + ROME_FILES

    def load(self, data_dir):
        return load_referentials(data_dir) + load_rome(data_dir)
