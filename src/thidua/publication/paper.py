"""The press release as a paper (issue 15, "Done when": DOCX and PDF as well as the web
article): the bloc's latest published text (publication.PressReleaseRevision), laid out
under the Decree 30 heading as a "THÔNG CÁO BÁO CHÍ", dated the day it was published
(local time), signed for the bloc. Never numbered: the published revision is the record.
Registered in documents.kinds.KINDS by PublicationConfig.ready."""

from thidua.core.dates import local_date
from thidua.core.errors import NotFound
from thidua.documents import kind as k
from thidua.org.rules import Actor
from thidua.publication.queries import latest_revision
from thidua.publication.rules import can_view_press_draft


def _revision(bloc_year):
    return latest_revision(bloc_year)


def load_press(actor: Actor, pk: int):
    bloc_year = k.load_bloc_year(actor, pk, can_view_press_draft)
    if _revision(bloc_year) is None:
        raise NotFound("Khối chưa công bố thông cáo báo chí.")
    return bloc_year


def press_context(actor, bloc_year, on) -> dict:
    revision = _revision(bloc_year)
    paragraphs = [p.strip() for p in revision.body.split("\n\n") if p.strip()]
    return {
        "doc_type": "THÔNG CÁO BÁO CHÍ",
        "subject": revision.title,
        "number_line": "",
        "lead": revision.lead,
        "body": paragraphs,
        "signer": k.bloc_signer(bloc_year),
        "recipients": ["- Các cơ quan báo chí;", "- Các đơn vị thành viên;", "- Lưu: VT."],
    }


def _published_day(bloc_year):
    revision = _revision(bloc_year)
    return local_date(revision.published_at) if revision else None


def press_kinds() -> tuple:
    kind = k.Kind
    return (kind(slug="thong-cao-bao-chi", label="Thông cáo báo chí", template="press_release",
                 symbol="", load=load_press, issuer=k.bloc_issuer,
                 can_issue=lambda actor, subject: False, context=press_context,
                 filename=lambda b: f"thong-cao-bao-chi-{b.year}-{b.bloc.code}",
                 province_id=lambda b: b.bloc.province_id, event_date=_published_day),)
