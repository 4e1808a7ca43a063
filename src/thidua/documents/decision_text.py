"""The chairman's award decision as both papers word it — the draft of the accepted
proposals (kinds_awards) and the numbered decision recorded with its attached list
(kinds_province): the authority line, the proposal considered, Articles 2 and 3, the
recipients and the signature (Decree 30/2020, Appendix I)."""

from thidua.documents.kind import Issuer
from thidua.documents.signers import BLANK_NAME


def province_issuer(emulation_year) -> Issuer:
    """The province's People's Committee: "ỦY BAN NHÂN DÂN / TỈNH BẮC NINH", "…/QĐ-UBND"."""
    province = emulation_year.province
    return Issuer(f"province:{province.id}", "UBND", "ỦY BAN NHÂN DÂN",
                  province.full_name.upper(), province.name)


def decision_signer(vice_chair: bool = True) -> dict:
    """Decree 30: a vice-chairman signs for the chairman (KT. CHỦ TỊCH / PHÓ CHỦ TỊCH);
    the chairman signs as CHỦ TỊCH. The draft is prepared for the vice-chairman in charge
    of emulation work, the usual case; the office changes it in Word otherwise."""
    if vice_chair:
        return {"mandate": "KT. CHỦ TỊCH", "title": "PHÓ CHỦ TỊCH", "name": BLANK_NAME}
    return {"mandate": "", "title": "CHỦ TỊCH", "name": BLANK_NAME}


def authority(province) -> str:
    return f"CHỦ TỊCH ỦY BAN NHÂN DÂN {province.full_name.upper()}"


def considering(province, year: int) -> str:
    return ("Xét đề nghị của Giám đốc Sở Nội vụ (Ban Thi đua - Khen thưởng) về khen thưởng "
            f"các tập thể thuộc cụm, khối thi đua của {province.kind_word} năm {year}.")


def closing_articles(province) -> list[dict]:
    """Điều 2 (the money) and Điều 3 (in force, who carries it out)."""
    kind = province.kind_word  # tỉnh / thành phố (a centrally-run city)
    return [
        {"head": "Điều 2.", "text": "Tiền thưởng kèm theo thực hiện theo quy định hiện hành, "
         f"từ nguồn quỹ thi đua, khen thưởng của {kind}.", "lines": []},
        {"head": "Điều 3.", "text": "Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn "
         f"phòng Ủy ban nhân dân {kind}, Giám đốc Sở Nội vụ, Giám đốc Sở Tài chính, thủ "
         "trưởng các cơ quan, đơn vị liên quan và các tập thể có tên tại Điều 1 chịu trách "
         "nhiệm thi hành Quyết định này./.", "lines": []},
    ]


def recipients(province) -> list[str]:
    kind = province.kind_word
    return ["- Như Điều 3;", f"- Chủ tịch, các Phó Chủ tịch UBND {kind};",
            "- Ban Thi đua - Khen thưởng (Sở Nội vụ);", "- Lưu: VT, TĐKT."]
