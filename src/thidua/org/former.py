"""A former province (merged into another, exchange.merger) is history: readable by its
successor's secretariat (org.rules.can_read_province), changed by nobody — the
administrator included. Every service that changes a province's data asks here."""

from thidua.core.dates import short_date
from thidua.core.errors import Conflict
from thidua.org.models import Province


def require_active(province_id: int):
    """Refuse (409, in Vietnamese) any change to a former province."""
    former = (Province.objects.filter(pk=province_id, merged_into__isnull=False)
              .select_related("merged_into").first())
    if former is not None:
        raise Conflict(f"{former.full_name[:1].upper()}{former.full_name[1:]} đã hợp nhất vào "
                       f"{former.merged_into.full_name} từ ngày {short_date(former.merged_on)}"
                       ": dữ liệu của tỉnh cũ chỉ để xem, không thay đổi được.")
