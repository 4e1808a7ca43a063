"""Personal API tokens: make one (shown once), list mine, revoke one."""

from ninja import Router, Status

from thidua.api import schemas as s
from thidua.api.auth import via_token
from thidua.api.common import responses
from thidua.core.errors import Forbidden
from thidua.core.tokens import active_tokens, create_token, revoke_token

router = Router(tags=["Mã truy cập"])


def token_out(token) -> dict:
    return {"id": token.id, "name": token.name, "prefix": token.prefix,
            "created_at": token.created_at, "last_used_at": token.last_used_at,
            "revoked_at": token.revoked_at}


@router.get("/tokens", response=responses({200: list[s.TokenOut]}),
            summary="Các mã truy cập của tôi")
def list_tokens(request):
    return [token_out(t) for t in active_tokens(request.auth)]


@router.post("/tokens", response=responses({201: s.TokenCreated}, 400, 403, 422),
             summary="Tạo mã truy cập (chỉ hiện một lần)")
def make_token(request, payload: s.TokenIn):
    # A token that could mint tokens would outlive its own revocation: a leaked token
    # revoked by its owner must not have left a fresh one behind.
    if via_token(request):
        raise Forbidden("Chỉ tạo mã truy cập mới khi đăng nhập bằng trình duyệt.")
    token, plain = create_token(request.auth, payload.name)
    return Status(201, {**token_out(token), "token": plain})


@router.delete("/tokens/{token_id}", response=responses({200: s.TokenOut}, 403, 404, 422),
               summary="Thu hồi một mã truy cập của tôi")
def revoke(request, token_id: s.Id):
    return token_out(revoke_token(request.auth, token_id))
