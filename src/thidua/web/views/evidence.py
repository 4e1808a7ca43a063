"""Evidence download: a file leaves the server only through this permission check."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404

from thidua.core.downloads import file_response
from thidua.pledges.models import Evidence
from thidua.pledges.rules import can_view_registration
from thidua.web.utils import get_actor, require


@login_required
def download(request, pk):
    actor = get_actor(request)
    evidence = get_object_or_404(
        Evidence.objects.select_related("check_in__target__registration__bloc_year"), pk=pk)
    require(can_view_registration(actor, evidence.check_in.target.registration))
    return file_response(evidence)
