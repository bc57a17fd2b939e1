from django.contrib import admin

from .models import Collective, Contact, Invitation, Membership, Structure, StructureChange


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "rna", "commune", "sector", "headcount_band", "is_active", "source"]
    list_filter = ["is_active", "source", "sector", "headcount_band", "legal_category__ess_family"]
    search_fields = ["name", "usual_name", "siret", "rna"]
    autocomplete_fields = ["commune", "naf", "legal_category", "collective_agreement"]
    filter_horizontal = ["collectives"]
    readonly_fields = ["siren", "created_at", "updated_at"]
    inlines = [MembershipInline, ContactInline]
    list_select_related = ["commune", "sector"]


@admin.register(Collective)
class CollectiveAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    search_fields = ["name"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "structure", "role", "created_at", "accepted_at"]
    search_fields = ["email", "structure__name"]
    readonly_fields = ["token", "created_at", "accepted_at"]
    raw_id_fields = ["structure", "invited_by"]


@admin.register(StructureChange)
class StructureChangeAdmin(admin.ModelAdmin):
    list_display = ["structure", "action", "user", "created_at"]
    list_filter = ["action"]
    search_fields = ["structure__name", "structure__siret"]
    raw_id_fields = ["structure", "user"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
