from django.apps import AppConfig


class DiagnosticsConfig(AppConfig):
    name = "horizon.diagnostics"
    verbose_name = "Diagnostic RH"

    def ready(self):
        from horizon.questionnaires import signals

        from . import needs

        signals.response_submitted.connect(needs.on_response_submitted, dispatch_uid="diagnostics-submitted")
        signals.response_reopened.connect(needs.on_response_reopened, dispatch_uid="diagnostics-reopened")
