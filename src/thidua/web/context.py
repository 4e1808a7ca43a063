"""What every page's layout needs: the current user's actor and navigation links."""

from thidua.org.rules import actor_for


def navigation(request):
    actor = actor_for(getattr(request, "user", None))
    return {"actor": actor}
