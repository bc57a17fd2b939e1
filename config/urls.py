from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Horizon ESS — administration"
admin.site.site_title = "Horizon ESS"
admin.site.index_title = "Administration"

urlpatterns = [
    path("", include("horizon.www.home.urls")),
    path("compte/", include("horizon.www.accounts.urls")),
    path("structures/", include("horizon.www.structures.urls")),
    path("collectifs/", include("horizon.www.collectives.urls")),
    path("territoires/", include("horizon.www.territories.urls")),
    path("reponses/", include("horizon.www.responses.urls")),
    path("diagnostics/", include("horizon.www.diagnostics.urls")),
    path("formations/", include("horizon.www.catalogue.urls")),
    path("offre-de-formation/", include("horizon.www.training.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "horizon.www.home.views.permission_denied"
handler404 = "horizon.www.home.views.page_not_found"
handler500 = "horizon.www.home.views.server_error"
