"""Evidence download: a file leaves the server only through this permission check
(the file itself through core.downloads.file_response)."""

from django.contrib.auth.decorators import login_required

from thidua.core.downloads import file_response
from thidua.pledges.queries import evidence_in_scope
from thidua.web.utils import get_actor, shows_domain_errors


@login_required
@shows_domain_errors
def download(request, pk):
    return file_response(evidence_in_scope(get_actor(request), pk))
