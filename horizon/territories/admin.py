from django.contrib import admin

from horizon.referentials.admin import ReferenceDataAdmin, ReferenceDataInline

from .models import Commune, Departement, Epci, PostalCode, Region


@admin.register(Region)
class RegionAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "chef_lieu_code"]
    search_fields = ["code", "name"]


@admin.register(Departement)
class DepartementAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


@admin.register(Epci)
class EpciAdmin(ReferenceDataAdmin):
    list_display = ["siren", "name", "kind", "population", "departement_codes"]
    list_filter = ["kind"]
    search_fields = ["siren", "name"]


class PostalCodeInline(ReferenceDataInline):
    model = PostalCode
    fields = ["code", "label"]


@admin.register(Commune)
class CommuneAdmin(ReferenceDataAdmin):
    list_display = ["code", "name", "departement", "epci", "population", "latitude", "longitude"]
    list_filter = ["departement__region"]
    search_fields = ["code", "name", "search_name", "postal_codes__code"]
    list_select_related = ["departement", "epci"]
    inlines = [PostalCodeInline]


@admin.register(PostalCode)
class PostalCodeAdmin(ReferenceDataAdmin):
    list_display = ["code", "commune", "label"]
    search_fields = ["code", "commune__name", "label"]
    list_select_related = ["commune"]
