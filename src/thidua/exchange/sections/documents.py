"""The numbering registry and the issued documents (DOCX as issued)."""

from thidua.documents import models as documents
from thidua.exchange.envelope import ExportFormatError, Section, by


def _issuer_out(value, keys):
    kind, _, pk = value.partition(":")
    section = ISSUERS.get(kind)
    if section is None or not pk.isdigit() or int(pk) not in keys[section]:
        raise ExportFormatError(f"Không xuất được cơ quan ban hành «{value}».")
    return f"{kind}:{keys[section][int(pk)]}"


def _issuer_in(value, pks):
    kind, _, key = str(value).partition(":")
    section = ISSUERS.get(kind)
    if section is None or key not in pks[section]:
        raise ExportFormatError(f"Cơ quan ban hành «{value}» không có trong tệp.")
    return f"{kind}:{pks[section][key]}"


# Documents name their subject by id; the kind says which section the subject is in.
DOCUMENT_SUBJECTS = {"dang-ky": "registrations", "giao-uoc": "bloc_years",
                     "tu-cham": "score_sheets", "xep-hang": "bloc_years",
                     "to-trinh": "proposals", "bao-cao-thanh-tich": "proposal_lines",
                     "du-thao-quyet-dinh": "years", "phieu-bau": "polls",
                     "the-bieu-quyet": "polls", "kiem-phieu": "polls",
                     "bien-ban-hop": "conferences"}
ISSUERS = {"unit": "units", "bloc_year": "bloc_years", "province": "province"}

SECTIONS = (
    Section("number_counters", documents.NumberCounter, None,
            ("issuer", "symbol", "year", "last_number"), {},
            json={"issuer": (_issuer_out, _issuer_in)}),
    Section("documents", documents.Document, by("province"),
            ("kind", "subject_id", "issuer", "symbol", "year", "number", "reference",
             "issued_on", "issued_at"),
            {"province": "province", "issued_by": "users"}, files=("docx",),
            json={"issuer": (_issuer_out, _issuer_in)}),
)
