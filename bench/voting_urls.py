"""The product's URLs plus one bench-only operation (bench/voting.py): the bare framework
endpoint, a django-ninja operation without auth that returns a constant, served by the
same gunicorn, middleware and settings as the ballots it is compared with."""

from django.urls import path
from ninja import NinjaAPI

from thidua.urls import urlpatterns as product

bare_api = NinjaAPI(title="bench", urls_namespace="bench_api", docs_url=None,
                    openapi_url=None)


@bare_api.post("/bare", auth=None)
def bare(request):
    return {"ok": True}


urlpatterns = [*product, path("bench/api/", bare_api.urls)]
