from django.contrib import admin
from django.urls import include, path

from thidua.api.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("", include("thidua.web.urls")),
]

# A database briefly unavailable answers 503 with its own page (core.dbfault), else 500.
handler500 = "thidua.core.dbfault.server_error"
# Refused before any view (e.g. a forged Host header): JSON for the API (core.handlers).
handler400 = "thidua.core.handlers.bad_request"
