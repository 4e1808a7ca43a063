"""The HTTP API: django-ninja, every operation under /api/v1/, OpenAPI at
/api/openapi.json and its docs at /api/docs.

The docs page uses the Swagger UI files ninja ships (ninja is in INSTALLED_APPS, so its
template loads them from our own static files, no CDN) and reads its settings from a
JSON block, so it runs under the CSP `script-src 'self'` with nothing inline.
"""

from ninja import NinjaAPI, Swagger

from thidua.api import (
    awards,
    council,
    documents,
    errors,
    facts,
    history,
    lineage,
    merger,
    org,
    pledges,
    publication,
    register,
    scoring,
    setup,
    signers,
    tokens,
    users,
    voting,
)
from thidua.api.auth import SessionAuth, TokenAuth

api = NinjaAPI(
    title="thidua API",
    version="1",
    description=(
        "API của thidua: khối, cụm thi đua, đăng ký thi đua, tiến độ và minh chứng.\n\n"
        "Xác thực bằng phiên đăng nhập của trình duyệt (kèm tiêu đề `X-CSRFToken` cho các "
        "yêu cầu ghi) hoặc mã truy cập cá nhân: `Authorization: Bearer thd_…`. Số thập "
        "phân được gửi và trả về dạng chuỗi (vd. `\"12.50\"`). Lỗi trả về "
        "`{\"detail\": \"…\", \"errors\": [{\"field\": …, \"message\": \"…\"}]}`."
    ),
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth()],
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
)
errors.install(api)
api.add_router("/v1/", awards.router)
api.add_router("/v1/", council.router)
api.add_router("/v1/", documents.router)
api.add_router("/v1/", facts.router)
api.add_router("/v1/", history.router)
api.add_router("/v1/", lineage.router)
api.add_router("/v1/", merger.router)
api.add_router("/v1/", org.router)
api.add_router("/v1/", pledges.router)
api.add_router("/v1/", register.router)
api.add_router("/v1/", publication.router)
api.add_router("/v1/", scoring.router)
api.add_router("/v1/", setup.router)
api.add_router("/v1/", signers.router)
api.add_router("/v1/", tokens.router)
api.add_router("/v1/", users.router)
api.add_router("/v1/", voting.router)
