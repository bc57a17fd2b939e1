from django.contrib import admin

from .models import (
    CollectiveAgreement,
    DataLoad,
    LegalCategory,
    LheoCode,
    NafCode,
    Nsf,
    ProgrammeSector,
    RomeAppellation,
    RomeFiche,
    RomeFicheSkill,
    RomeSkill,
)


class ReadOnlyMixin:
    """Reference data comes from the files in data/ (load_territories, load_referentials): the admin shows it,
    and never edits it, since the next load would overwrite the edit."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReferenceDataAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


class ReferenceDataInline(ReadOnlyMixin, admin.TabularInline):
    extra = 0


@admin.register(ProgrammeSector)
class ProgrammeSectorAdmin(ReferenceDataAdmin):
    list_display = ["code", "label", "position"]
    search_fields = ["code", "label"]


@admin.register(NafCode)
class NafCodeAdmin(ReferenceDataAdmin):
    list_display = ["code", "label", "division_code", "section_code"]
    list_filter = ["section_code"]
    search_fields = ["code", "label", "division_label"]


@admin.register(LegalCategory)
class LegalCategoryAdmin(ReferenceDataAdmin):
    list_display = ["code", "label", "ess_family"]
    list_filter = ["ess_family"]
    search_fields = ["code", "label"]


@admin.register(CollectiveAgreement)
class CollectiveAgreementAdmin(ReferenceDataAdmin):
    list_display = ["idcc", "short_name", "opco", "sector"]
    list_filter = ["sector", "opco"]
    search_fields = ["idcc", "short_name", "title"]
    list_select_related = ["sector"]


@admin.register(Nsf)
class NsfAdmin(ReferenceDataAdmin):
    list_display = ["code", "label"]
    search_fields = ["code", "label"]


@admin.register(LheoCode)
class LheoCodeAdmin(ReferenceDataAdmin):
    list_display = ["dictionary", "code", "label"]
    list_filter = ["dictionary"]
    search_fields = ["code", "label"]


class RomeAppellationInline(ReferenceDataInline):
    model = RomeAppellation
    fields = ["code", "label"]


@admin.register(RomeFiche)
class RomeFicheAdmin(ReferenceDataAdmin):
    list_display = ["code", "label", "domain_code", "domain_label"]
    list_filter = ["domain_code"]
    search_fields = ["code", "label", "appellations__label"]
    inlines = [RomeAppellationInline]


@admin.register(RomeAppellation)
class RomeAppellationAdmin(ReferenceDataAdmin):
    list_display = ["code", "label", "fiche"]
    search_fields = ["code", "label", "fiche__code"]
    list_select_related = ["fiche"]


@admin.register(RomeSkill)
class RomeSkillAdmin(ReferenceDataAdmin):
    list_display = ["code", "label", "kind", "category"]
    list_filter = ["kind", "category"]
    search_fields = ["code", "label"]


@admin.register(RomeFicheSkill)
class RomeFicheSkillAdmin(ReferenceDataAdmin):
    list_display = ["fiche", "skill", "is_core"]
    list_filter = ["is_core", "skill__kind"]
    search_fields = ["fiche__code", "skill__code", "skill__label"]
    list_select_related = ["fiche", "skill"]


@admin.register(DataLoad)
class DataLoadAdmin(ReferenceDataAdmin):
    list_display = ["name", "loaded_at", "summary"]
    readonly_fields = ["name", "checksum", "loaded_at", "summary"]
