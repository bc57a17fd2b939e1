from django import forms
from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import forms as auth_forms

from horizon.programmes.models import ProgrammeMembership

from .models import LoginAttempt, User

DUPLICATE_EMAIL = "Un compte existe déjà avec cette adresse e-mail."


class UserCreationForm(auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(DUPLICATE_EMAIL, code="duplicate_email")
        return email


class UserChangeForm(auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(DUPLICATE_EMAIL, code="duplicate_email")
        return email


class ProgrammeMembershipInline(admin.TabularInline):
    model = ProgrammeMembership
    fk_name = "user"
    extra = 0
    fields = ("programme", "role", "organisation_name", "is_active", "created_at")
    readonly_fields = ("created_at",)
    autocomplete_fields = ("programme",)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ("email", "full_name", "is_active", "is_staff", "date_joined")
    list_display_links = ("email",)
    list_filter = ("is_active", "is_staff", "is_superuser", "programme_memberships__role", "groups")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined", "terms_accepted_at")
    filter_horizontal = ("groups", "user_permissions")
    inlines = (ProgrammeMembershipInline,)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Identité", {"fields": ("first_name", "last_name", "phone", "job_title")}),
        (
            "Accès",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
                "description": (
                    "Les rôles dans le programme se donnent ci-dessous (rôles dans les programmes), "
                    "les rattachements aux structures depuis les structures."
                ),
            },
        ),
        ("Dates", {"fields": ("date_joined", "last_login", "terms_accepted_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_inlines(self, request, obj):
        # Like the password, roles are given once the person exists (the add form stays short).
        return self.inlines if obj is not None else ()

    @admin.display(description="nom", ordering="last_name")
    def full_name(self, obj):
        return obj.get_full_name()


@admin.register(LoginAttempt)
class LoginAttemptAdmin(admin.ModelAdmin):
    """Read-only journal of login attempts (kept for throttling and security investigations)."""

    list_display = ("created_at", "email", "ip_address", "succeeded", "throttled")
    list_filter = ("succeeded", "throttled", "created_at")
    search_fields = ("email", "ip_address")
    date_hierarchy = "created_at"
    fields = ("created_at", "email", "ip_address", "succeeded", "throttled")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
