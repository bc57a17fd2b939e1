from django.urls import path

from . import action_plans, aggregates, restitution

app_name = "diagnostics"

urlpatterns = [
    # The restitution of a submitted diagnostic (pk: the questionnaire response).
    path("<int:pk>/", restitution.restitution, name="restitution"),
    path("<int:pk>/restitution.pdf", restitution.restitution_pdf, name="restitution_pdf"),
    path("<int:pk>/formations/", restitution.restitution_suggestions, name="restitution_suggestions"),
    # Its action plan.
    path("<int:pk>/plan-d-action/", action_plans.plan, name="action_plan"),
    path("<int:pk>/plan-d-action/creer/", action_plans.create_plan, name="action_plan_create"),
    path("plans/<int:plan_pk>/actions/ajouter/", action_plans.add_action, name="action_add"),
    path("plans/<int:plan_pk>/validation/", action_plans.agree, name="action_plan_agree"),
    path("actions/<int:pk>/modifier/", action_plans.edit_action, name="action_edit"),
    path("actions/<int:pk>/etat/", action_plans.set_status, name="action_status"),
    # Aggregates by territory and sector.
    path("statistiques/", aggregates.aggregates, name="aggregates"),
]
