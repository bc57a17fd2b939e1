from django.contrib import admin

from .models import Formation, OfferChange, Provider, ProviderMembership


class ProviderMembershipInline(admin.TabularInline):
    model = ProviderMembership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "nda", "qualiopi", "commune"]
    search_fields = ["name", "siret", "nda"]
    list_filter = ["qualiopi"]
    raw_id_fields = ["commune"]
    inlines = [ProviderMembershipInline]


class OfferChangeInline(admin.TabularInline):
    model = OfferChange
    extra = 0
    can_delete = False
    readonly_fields = ["action", "user", "changes", "note", "created_at"]


@admin.register(Formation)
class FormationAdmin(admin.ModelAdmin):
    list_display = ["title", "provider", "source", "source_id", "certifying", "closed_at"]
    search_fields = ["title", "source_id", "provider__name"]
    list_filter = ["source", "certifying"]
    raw_id_fields = ["provider", "updated_by", "themes_edited_by"]
    inlines = [OfferChangeInline]
