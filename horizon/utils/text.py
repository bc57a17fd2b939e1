import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize(value):
    """Lower-case ASCII words separated by single spaces: 'Saint-Émilion' → 'saint emilion'."""
    value = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode("ascii").lower()
    return _NON_ALNUM.sub(" ", value).strip()
