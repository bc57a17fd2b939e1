from django.contrib import admin

from .models import Programme, ProgrammeMembership


class ProgrammeMembershipInline(admin.TabularInline):
    model = ProgrammeMembership
    extra = 0
    fields = ("user", "role", "organisation_name", "is_active", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("user",)


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "region", "start_date", "end_date")
    list_filter = ("region",)
    list_select_related = ("region",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (ProgrammeMembershipInline,)


@admin.register(ProgrammeMembership)
class ProgrammeMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "programme", "organisation_name", "is_active", "created_at")
    list_filter = ("role", "is_active", "programme")
    list_select_related = ("user", "programme")
    search_fields = ("user__email", "user__first_name", "user__last_name", "organisation_name")
    autocomplete_fields = ("user", "programme")
    readonly_fields = ("created_at",)
