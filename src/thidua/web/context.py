"""What every page's layout needs: the current user's actor and the links their roles open."""

from django.urls import reverse

from thidua.org.rules import actor_for


def navigation(request):
    user = getattr(request, "user", None)
    actor = actor_for(user)
    if not actor.is_authenticated:
        return {"actor": actor, "nav_links": []}
    links = [("Trang chính", reverse("home")), ("Tìm đơn vị", reverse("unit_search"))]
    if actor.is_admin or actor.secretariat_provinces:
        links.append(("Nhật ký", reverse("audit_log")))
        links.append(("Người dùng", reverse("user_list")))
    links.append(("Mã truy cập API", reverse("api_tokens")))
    path = request.path
    return {
        "actor": actor,
        "nav_links": [{"label": label, "url": url, "current": path == url} for label, url in links],
    }
