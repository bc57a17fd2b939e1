"""An offer's dates as French readers write them, saying only what is known (LHEO dates may give the month or the
year only)."""

from django.utils.formats import date_format

from .enums import DatePrecision


def french_date(value, precision=DatePrecision.DAY):
    """ "3 mars 2027", "1er mars 2027", "mars 2027" (month known only), "2027"; "" for no date."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return str(value.year)
    month = date_format(value, "F Y")
    if precision == DatePrecision.MONTH:
        return month
    return f"{'1er' if value.day == 1 else value.day} {month}"
