"""Vietnamese text at the boundaries (core.text): NFC, search keys, ICU order."""

import string
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thidua.core.errors import DomainError
from thidua.core.text import clean_text, nfc, nfc_deep, search_key, sort_key, tidy, vi_sorted

VOWELS_WITH_MARKS = "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ"
VIETNAMESE_LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxy" + VOWELS_WITH_MARKS


def nfd(text):
    return unicodedata.normalize("NFD", text)


def test_nfc_composes_what_a_keyboard_decomposed():
    typed = nfd("Sở Tư pháp")
    assert typed != "Sở Tư pháp"
    assert len(typed) == 14 and len(nfc(typed)) == 10
    assert nfc(typed) == "Sở Tư pháp"
    assert nfc("Sở Tư pháp") == "Sở Tư pháp"


def test_nfc_deep_reaches_keys_values_and_lists():
    data = {nfd("tên"): [nfd("Đài Phát thanh"), 3, None, {"x": nfd("ủy ban")}], "n": 1.5}
    assert nfc_deep(data) == {"tên": ["Đài Phát thanh", 3, None, {"x": "ủy ban"}], "n": 1.5}
    assert all(unicodedata.is_normalized("NFC", key) for key in nfc_deep(data))


def test_search_key_examples():
    assert search_key("Đài Phát thanh") == "dai phat thanh"
    assert search_key("ĐÀI PHÁT THANH") == "dai phat thanh"
    assert search_key("  Sở   Giáo dục\tvà\nĐào tạo ") == "so giao duc va dao tao"
    assert search_key(nfd("Ủy ban Mặt trận Tổ quốc")) == "uy ban mat tran to quoc"
    assert search_key("Khối Văn hóa – Xã hội") == "khoi van hoa xa hoi"
    assert search_key("Kinh tế - Kỹ thuật (mẫu)") == "kinh te ky thuat mau"


def test_search_key_removes_every_tone_and_vowel_mark():
    assert search_key(VOWELS_WITH_MARKS) == "a" * 17 + "e" * 11 + "i" * 5 + "o" * 17 + \
        "u" * 11 + "y" * 5
    assert search_key(VOWELS_WITH_MARKS.upper()) == search_key(VOWELS_WITH_MARKS)
    assert search_key("đĐ") == "dd"
    assert search_key("Ă Â Ê Ô Ơ Ư") == "a a e o o u"


REAL_UNITS = [
    "Sở Y tế", "Đài Phát thanh và Truyền hình", "Ban Dân tộc",
    "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Sở Tư pháp", "Sở Tài chính",
    "Sở Thông tin và Truyền thông", "Sở Công Thương", "Bảo hiểm xã hội tỉnh", "Báo Bắc Ninh",
    "Ban Quản lý các khu công nghiệp", "Sở Nội vụ", "Sở Giáo dục và Đào tạo", "Công an tỉnh",
    "Cục Thuế tỉnh", "Đảng ủy Khối cơ quan", "Hội Nông dân tỉnh", "Liên đoàn Lao động tỉnh",
    "Kho bạc Nhà nước", "Tỉnh đoàn", "Văn phòng UBND tỉnh", "Sở Xây dựng", "Sở Du lịch",
    "Sở Văn hóa, Thể thao và Du lịch",
]


def test_real_unit_names_in_vietnamese_order():
    """Đ after D (not after Z as in code points), à before h, Ủ before V."""
    expected = [
        "Ban Dân tộc", "Ban Quản lý các khu công nghiệp", "Báo Bắc Ninh",
        "Bảo hiểm xã hội tỉnh", "Công an tỉnh", "Cục Thuế tỉnh",
        "Đài Phát thanh và Truyền hình", "Đảng ủy Khối cơ quan", "Hội Nông dân tỉnh",
        "Kho bạc Nhà nước", "Liên đoàn Lao động tỉnh", "Sở Công Thương", "Sở Du lịch",
        "Sở Giáo dục và Đào tạo", "Sở Nội vụ", "Sở Tài chính", "Sở Thông tin và Truyền thông",
        "Sở Tư pháp", "Sở Văn hóa, Thể thao và Du lịch", "Sở Xây dựng", "Sở Y tế",
        "Tỉnh đoàn", "Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh", "Văn phòng UBND tỉnh",
    ]
    assert vi_sorted(REAL_UNITS) == expected
    assert vi_sorted([nfd(name) for name in reversed(REAL_UNITS)]) == [
        nfd(name) for name in expected]
    assert sorted(REAL_UNITS) != expected  # code-point order would be wrong
    assert vi_sorted(REAL_UNITS, key=lambda n: n) == sorted(REAL_UNITS, key=sort_key)


def test_letters_and_tones_in_vietnamese_order():
    assert vi_sorted(["mạ", "má", "mã", "mả", "mà", "ma"]) == ["ma", "mà", "mả", "mã", "má", "mạ"]
    assert vi_sorted(["ơ", "o", "ô"]) == ["o", "ô", "ơ"]
    assert vi_sorted(["ư", "v", "u"]) == ["u", "ư", "v"]
    assert vi_sorted(["ă", "b", "â", "a"]) == ["a", "ă", "â", "b"]
    assert vi_sorted(["e", "đa", "dê", "da"]) == ["da", "dê", "đa", "e"]


def test_sort_key_is_bytes_and_ignores_normal_form():
    assert isinstance(sort_key("Sở Y tế"), bytes)
    assert sort_key(nfd("Sở Y tế")) == sort_key("Sở Y tế")


vietnamese_text = st.text(
    alphabet=st.sampled_from(VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
                             + string.digits + string.punctuation + " \t\n"),
    max_size=60,
)


@given(vietnamese_text)
def test_search_key_is_idempotent_lowercase_ascii(text):
    key = search_key(text)
    assert key.isascii()
    assert key == key.lower() == key.strip()
    assert "  " not in key
    assert search_key(key) == key
    assert search_key(nfd(text)) == key


@given(st.text(max_size=60))
def test_search_key_is_idempotent_on_any_text(text):
    assert search_key(search_key(text)) == search_key(text)


@given(st.text(max_size=60))
def test_nfc_is_idempotent_and_normalised(text):
    assert nfc(nfc(text)) == nfc(text)
    assert unicodedata.is_normalized("NFC", nfc(text))
    assert nfc(nfd(text)) == nfc(text)


@given(vietnamese_text, vietnamese_text)
def test_sort_key_is_normal_form_blind_and_consistent(a, b):
    assert sort_key(nfd(a)) == sort_key(a)
    assert vi_sorted([a, b]) == vi_sorted([b, a]) or sort_key(a) == sort_key(b)


def test_tidy_composes_and_trims_and_reads_none_as_empty():
    assert tidy(nfd("  Sở Tư pháp \n")) == "Sở Tư pháp"
    assert tidy(None) == ""
    assert tidy(12) == "12"


def test_clean_text_one_line_folds_white_space():
    assert clean_text(" Sở\tTư \n pháp ", "Tên đơn vị", 300) == "Sở Tư pháp"
    assert clean_text("", "Tên ngắn", 10, required=False) == ""


def test_clean_text_multiline_keeps_line_ends_and_makes_them_one_kind():
    assert clean_text(" Dòng 1\r\nDòng 2\rDòng 3 ", "Nội dung", 100,
                      multiline=True) == "Dòng 1\nDòng 2\nDòng 3"


@pytest.mark.parametrize("value,kwargs,message", [
    ("   ", {}, "Tên đơn vị không được để trống."),
    (None, {}, "Tên đơn vị không được để trống."),
    ("Sở\x00Tư pháp", {}, "Tên đơn vị có ký tự điều khiển không được phép."),
    ("Dòng\x07", {"multiline": True}, "Tên đơn vị có ký tự điều khiển không được phép."),
    ("đ" * 11, {}, "Tên đơn vị dài quá 10 ký tự (đang có 11)."),
])
def test_clean_text_refuses_in_vietnamese(value, kwargs, message):
    with pytest.raises(DomainError) as refused:
        clean_text(value, "Tên đơn vị", 10, **kwargs)
    assert refused.value.messages == [message]
