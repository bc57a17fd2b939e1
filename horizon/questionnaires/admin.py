from django.contrib import admin

from .models import Attachment, QuestionnaireVersion, Response, ResponseEvent


@admin.register(QuestionnaireVersion)
class QuestionnaireVersionAdmin(admin.ModelAdmin):
    list_display = ["code", "number", "title", "published_at", "published_by"]
    readonly_fields = ["code", "number", "title", "content", "content_hash", "published_at", "published_by"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ResponseEventInline(admin.TabularInline):
    model = ResponseEvent
    extra = 0
    readonly_fields = ["kind", "user", "note", "created_at"]
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    list_display = ["version", "structure", "variant", "status", "revision", "updated_at", "submitted_at"]
    list_filter = ["status", "version__code"]
    raw_id_fields = ["structure", "submitted_by"]
    readonly_fields = ["answers", "revision", "submitted_at", "submitted_by"]
    inlines = [ResponseEventInline]


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "response", "question", "size", "uploaded_by", "uploaded_at"]
    raw_id_fields = ["response", "uploaded_by"]
    readonly_fields = ["response", "question", "file", "original_name", "size", "content_type", "uploaded_by"]
