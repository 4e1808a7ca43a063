"""Named models keep their NFC name, search key and ICU sort key (core.models.NamedModel);
the database orders by the stored key exactly as ICU does, on SQLite and PostgreSQL."""

import unicodedata

from thidua.core.text import search_key, sort_key, vi_sorted
from thidua.org.models import Province, Unit

NAMES = ["Sở Y tế", "Đài Phát thanh và Truyền hình", "Ban Dân tộc", "Sở Tư pháp",
         "Sở Tài chính", "Sở Thông tin và Truyền thông", "Bảo hiểm xã hội tỉnh", "Báo Bắc Ninh",
         "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Văn phòng UBND tỉnh", "Cục Thuế tỉnh",
         "Công an tỉnh", "Sở Du lịch", "Tỉnh đoàn"]


def test_save_stores_nfc_and_both_keys(db):
    province = Province.objects.create(code="BN", name=unicodedata.normalize("NFD", "Bắc Ninh"))
    stored = Province.objects.get(pk=province.pk)
    assert (stored.name, stored.search_key, bytes(stored.sort_key)) == (
        "Bắc Ninh", "bac ninh", sort_key("Bắc Ninh"))


def test_renaming_with_update_fields_refreshes_the_keys(db):
    province = Province.objects.create(code="BN", name="Bắc Ninh")
    unit = Unit.objects.create(province=province, code="X", name="Sở Thông tin")
    unit.name = "Đài Phát thanh"
    unit.save(update_fields=["name"])
    stored = Unit.objects.get(pk=unit.pk)
    assert (stored.name, stored.search_key, bytes(stored.sort_key)) == (
        "Đài Phát thanh", "dai phat thanh", sort_key("Đài Phát thanh"))


def test_the_database_orders_units_in_vietnamese_order(db):
    province = Province.objects.create(code="BN", name="Bắc Ninh")
    for i, name in enumerate(reversed(NAMES)):
        Unit.objects.create(province=province, code=f"U{i}", name=name)
    assert list(Unit.objects.values_list("name", flat=True)) == vi_sorted(NAMES)
    assert list(Unit.objects.order_by("-sort_key").values_list("name", flat=True)) == \
        vi_sorted(NAMES)[::-1]


def test_search_without_diacritics_finds_by_the_stored_key(db):
    province = Province.objects.create(code="BN", name="Bắc Ninh")
    for i, name in enumerate(NAMES):
        Unit.objects.create(province=province, code=f"U{i}", name=name)
    found = Unit.objects.filter(search_key__contains=search_key("DAI PHAT")).values_list(
        "name", flat=True)
    assert list(found) == ["Đài Phát thanh và Truyền hình"]
    assert set(Unit.objects.filter(search_key__contains="tinh").values_list(
        "name", flat=True)) == {"Bảo hiểm xã hội tỉnh", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh",
                                "Văn phòng UBND tỉnh", "Cục Thuế tỉnh", "Công an tỉnh",
                                "Tỉnh đoàn"}
