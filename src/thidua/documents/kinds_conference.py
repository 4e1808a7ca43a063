"""The conference papers (issue 6; RULES.md 29–34, 40): printed paper ballots, the sheet of
voting cards, the count record of a poll and the conference minutes — registered in
kinds.py beside the other documents, filled from voting.services.

- Ballots (phiếu bầu) print the receipt codes `voting.services.issue_paper_ballots` made
  (voting.printing.codes_to_print), one ballot a page with a tear-off receipt stub.
- The voting cards sheet prints the cards already issued and still usable
  (`voting.services.issued_cards`, as the cards page shows them): making it, as DOCX or
  PDF, never issues or revokes a card. Neither is ever numbered or kept (their
  `can_issue` is False: a stored copy would keep codes and tokens).
- The count record (biên bản kiểm phiếu, RULES.md 34) and the minutes (biên bản họp bình
  xét, RULES.md 40) copy the count of `voting.services.result` — the numbers and the
  sentences of the results page ("7 phiếu / 12 thành viên = 58,33 % > 1/2: đạt").
"""

import io
from fractions import Fraction

import segno

from thidua.core.dates import clock, clock_and_date, local_date, short_date
from thidua.core.errors import Conflict, NotFound
from thidua.core.numbers import vi_number
from thidua.documents import kind as k
from thidua.documents import rules, signers
from thidua.documents.charts import horizontal_bars
from thidua.documents.engine import Image
from thidua.law.award_forms import label_for
from thidua.law.text import format_fraction
from thidua.org.models import Unit
from thidua.org.rules import Actor
from thidua.scoring import queries as scoring_queries
from thidua.voting import links, printing
from thidua.voting import queries as voting_queries
from thidua.voting import services as voting
from thidua.voting.domain.tally import BASES, OUTCOME_LABELS
from thidua.voting.models import Conference, Poll

COUNTED = (Poll.State.CLOSED, Poll.State.PUBLISHED)
CARDS_PER_ROW = 2
QR_WIDTH_MM = 38
CHART_WIDTH_MM = 150


ANNEX_INTRO = ("Phụ lục dùng để đối chiếu, không thuộc nội dung biên bản. Mỗi cuộc bỏ phiếu "
               "đã công bố có một mã kiểm tra tính từ danh sách phiếu trong hòm phiếu "
               "(SHA-256; in cách mỗi 8 ký tự cho dễ đọc): trang kết quả công khai cho tải "
               "danh sách phiếu để ai cũng tính lại được mã này và thấy phiếu của mình.")


def grouped_code(code: str, size: int = 8) -> str:
    """A long check code in groups of `size` characters, so it reads and wraps cleanly."""
    return " ".join(code[i:i + size] for i in range(0, len(code), size))



def _held(conference) -> str:
    return clock_and_date(conference.held_at)


def _ended(conference) -> str:
    """The closing time the secretary typed, or the blank the minutes are signed with."""
    ended = conference.ended_at
    return clock(ended) if ended else "..... giờ ....."


def _score(candidate) -> str:
    if candidate.score_numerator is None or not candidate.score_denominator:
        return "—"
    return vi_number(Fraction(candidate.score_numerator, candidate.score_denominator))


# --- loading, with the visibility rules ------------------------------------------------------

def _poll(actor: Actor, pk: int, can_view) -> Poll:
    try:
        poll = voting.load_poll(pk)
    except NotFound:
        poll = None
    if poll is None or not can_view(actor, poll):
        raise NotFound("Không tìm thấy cuộc bỏ phiếu.")
    return poll


def load_ballot_poll(actor: Actor, pk: int) -> Poll:
    return _poll(actor, pk, rules.can_view_ballot_papers)


def load_cards_poll(actor: Actor, pk: int) -> Poll:
    return _poll(actor, pk, rules.can_view_cards_doc)


def load_counted_poll(actor: Actor, pk: int) -> Poll:
    return _poll(actor, pk, rules.can_view_count_record_doc)


def _states(conference) -> list[str]:
    return list(conference.polls.values_list("state", flat=True))


def load_conference(actor: Actor, pk: int) -> Conference:
    try:
        conference = voting.load_conference(pk) if isinstance(pk, int) else None
    except NotFound:
        conference = None
    if conference is None or not rules.can_view_minutes_doc(actor, conference,
                                                            _states(conference)):
        raise NotFound("Không tìm thấy hội nghị.")
    return conference


def _never(actor, subject) -> bool:
    return False


# --- printed paper ballots ---------------------------------------------------------------------

def candidate_rows(poll: Poll) -> list[dict]:
    return [{"no": i, "name": c.unit.name, "score": _score(c),
             "rank": str(c.rank) if c.rank else "—"}
            for i, c in enumerate(voting_queries.candidates(poll), 1)]


def ballots_context(actor, poll, on) -> dict:
    codes = printing.codes_to_print(actor, poll)
    if not codes:
        raise Conflict("Chưa có phiếu giấy nào để in: hãy phát phiếu giấy cho các đơn vị có "
                       "mặt trước (mỗi phiếu in một mã), hoặc mọi phiếu đã phát đều đã được "
                       "nhập.")
    conference, bloc_year = poll.conference, poll.conference.bloc_year
    quota = poll.quota
    return {
        "doc_type": "PHIẾU BẦU",
        "subject": poll.title,
        "number_line": "",
        "instructions": [
            f"Hội nghị tổng kết {bloc_year.bloc.name} năm {bloc_year.year}, {_held(conference)}"
            f", tại {conference.place}.",
            f"Đánh dấu X vào ô “Đồng ý” của đơn vị được chọn; chọn tối đa {quota} đơn vị. "
            f"Phiếu chọn quá {quota} đơn vị là phiếu không hợp lệ (Quy tắc 33).",
        ],
        "candidates": candidate_rows(poll),
        "ballots": [{"code": code, "code_line": f"Mã phiếu: {code}"} for code in codes],
        "ballot_note": "Ban kiểm phiếu nhập phiếu theo mã này; phiếu không ghi tên người bầu.",
        "stub_label": "Cắt theo đường này — phần dưới người bầu giữ lại",
        "stub_title": f"CUỐNG PHIẾU — {poll.title}",
        "stub_help": "Sau khi công bố kết quả, nhập mã này ở trang “Kiểm tra phiếu” để thấy "
                     "phiếu của mình đã được đếm.",
    }



# --- the sheet of voting cards -----------------------------------------------------------------

def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=8, border=2)
    return out.getvalue()


def cards_context(actor, poll, on) -> dict:
    """The cards issued and still usable (voting.services.issued_cards), two a row; the
    cards are issued on the poll's page, never by making this sheet."""
    if poll.state not in (Poll.State.CREATED, Poll.State.OPEN):
        raise Conflict("Cuộc bỏ phiếu đã kết thúc: không còn thẻ biểu quyết nào dùng được.")
    issued = voting.issued_cards(actor, poll).cards
    cards = []
    for item in issued:
        url = links.ballot_url(poll.pk, item.token)
        cards.append({"title": poll.title, "unit": item.unit_name,
                      "delegate": f"Đại biểu: {item.card.delegate_name}"
                      if item.card.delegate_name else "",
                      "qr": Image(qr_png(url), QR_WIDTH_MM), "url": url,
                      "help": "Quét mã QR bằng điện thoại để bỏ phiếu. Thẻ chỉ dùng một lần."})
    blank = dict.fromkeys(("title", "unit", "delegate", "qr", "url", "help"), "")
    rows = [{"left": cards[i], "right": cards[i + 1] if i + 1 < len(cards) else blank}
            for i in range(0, len(cards), CARDS_PER_ROW)]
    bloc_year = poll.conference.bloc_year
    return {
        "doc_type": "THẺ BIỂU QUYẾT",
        "subject": poll.title,
        "number_line": "",
        "intro": [f"Hội nghị tổng kết {bloc_year.bloc.name} năm {bloc_year.year}: "
                  f"{len(cards)} thẻ đã phát, chưa dùng (Quy tắc 29). Cắt theo đường kẻ "
                  "rời, phát mỗi đơn vị một thẻ. In lại bản này không phát thẻ mới: thẻ đã "
                  "in trước vẫn dùng được."]
        if cards else ["Chưa có thẻ biểu quyết nào đang dùng được: phát thẻ ở trang cuộc "
                       "bỏ phiếu trước khi in."],
        "card_rows": rows,
    }



# --- one poll's count, as both the count record and the minutes show it -------------------------

def threshold_line(tally) -> str:
    if tally.rule is None:
        return ("Bỏ phiếu lại giữa các ứng viên bằng nhau ở ranh giới chỉ tiêu: chọn theo số "
                "phiếu (Quy tắc 32).")
    rule = tally.rule
    words = "quá" if rule.comparison == "more_than" else "ít nhất"
    return (f"Ngưỡng đạt: {words} {format_fraction(rule.fraction)} số {BASES[tally.base_kind]}"
            f" ({tally.base}), tức từ {rule.minimum(tally.base)} phiếu đồng ý trở lên "
            "(Quy tắc 31).")


def poll_count(actor: Actor, poll: Poll) -> dict:
    """The numbers of a counted poll (RULES.md 34), from the same count the results page
    shows: members, present, ballots issued, returned, valid, invalid, per candidate the
    yes votes, percentage, sentence and outcome."""
    outcome = voting.result(actor, poll)
    tally = outcome.tally
    issued = (poll.result or {}).get("participations", tally.cast)
    counts = [("Số đơn vị thành viên", tally.members), ("Số đơn vị có mặt", tally.present),
              ("Số phiếu phát ra", issued), ("Số phiếu thu vào", tally.cast),
              ("Số phiếu hợp lệ", tally.valid), ("Số phiếu không hợp lệ", tally.invalid)]
    rows = [{"no": i, "name": r.candidate.label, "votes": str(r.votes),
             "percentage": r.percentage, "sentence": r.sentence,
             "outcome": OUTCOME_LABELS[r.outcome][:1].upper() + OUTCOME_LABELS[r.outcome][1:]}
            for i, r in enumerate(tally.results, 1)]
    notes = list(tally.explanations)
    if outcome.reconciliation is not None:
        notes.append(outcome.reconciliation.sentence + ".")
    return {
        "poll": poll, "tally": tally,
        "counts": [{"no": i, "label": label, "value": str(value)}
                   for i, (label, value) in enumerate(counts, 1)],
        "issued": issued,
        "rule_lines": [threshold_line(tally),
                       f"Chỉ tiêu: chọn tối đa {tally.quota} đơn vị; phiếu chọn quá "
                       f"{tally.quota} đơn vị không hợp lệ (Quy tắc 33)."],
        "candidates": rows, "notes": notes,
        "selected": [tally.result_for(cid).candidate.label for cid in tally.selected],
    }


def chart_of(count: dict) -> Image | str:
    """Yes votes per candidate with the threshold (the fewest votes that pass)."""
    tally = count["tally"]
    if not tally.results:
        return ""
    line = tally.rule.minimum(tally.base) if tally.rule is not None else None
    png = horizontal_bars(
        [r.candidate.label for r in tally.results], [r.votes for r in tally.results],
        title=f"Số phiếu đồng ý — {count['poll'].title}", axis="Số phiếu đồng ý",
        highlight=[r.passed for r in tally.results], line=line,
        line_label=f"Ngưỡng đạt: từ {line} phiếu" if line is not None else "",
        integers=True)
    return Image(png, CHART_WIDTH_MM)


# --- the count record ---------------------------------------------------------------------------

def count_record_context(actor, poll, on) -> dict:
    conference, bloc_year = poll.conference, poll.conference.bloc_year
    count = poll_count(actor, poll)
    committee = list(conference.committee.order_by("id"))
    members = ", ".join(f"{m.name}{f' ({m.role})' if m.role else ''}" for m in committee)
    heads = [m for m in committee if (m.role or "").strip().lower().startswith("trưởng")]
    head = signers.person_name((heads or committee)[0].name) if committee else ""
    return {
        "doc_type": "BIÊN BẢN",
        "subject": f"Kiểm phiếu: {poll.title}",
        "legal_bases": k.legal_bases(bloc_year.bloc.province.code, on,
                                     territory=bloc_year.bloc.territory_code),
        "intro": [f"Hồi {_held(conference)}, tại {conference.place}, Hội nghị tổng kết "
                  f"{bloc_year.bloc.name} năm {bloc_year.year} bỏ phiếu kín (Quy tắc 30): "
                  f"{poll.title}.",
                  "Ban kiểm phiếu gồm: " + (members or "(chưa ghi tên)") + ".",
                  "Ban kiểm phiếu đã kiểm phiếu và lập biên bản như sau:"],
        "counts": count["counts"],
        "rule_lines": count["rule_lines"],
        "candidates": count["candidates"],
        "notes": count["notes"] or ["Không có ghi chú."],
        "committee": [{"no": i, "name": m.name, "role": m.role or "Thành viên"}
                      for i, m in enumerate(committee, 1)],
        "closing": ["Biên bản lập xong tại hội nghị, Ban kiểm phiếu đã đọc lại và cùng ký "
                    "tên."],
        "signer": {"mandate": "TM. BAN KIỂM PHIẾU", "title": "TRƯỞNG BAN",
                   "name": head or signers.BLANK_NAME},
        "recipients": ["- Chủ trì hội nghị;", f"- Các đơn vị thành viên {bloc_year.bloc.name};",
                       "- Lưu: VT."],
    }



# --- the conference minutes ---------------------------------------------------------------------

def _attendance(actor, conference):
    view = voting_queries.conference_view(actor, conference)
    rows = [{"no": i, "name": a.unit.name, "delegate": a.delegate_name,
             "present": "Có" if a.present else "Vắng",
             "reason": "" if a.present else (a.absence_reason or "Không rõ lý do")}
            for i, a in enumerate(view.attendance, 1)]
    absent = [a for a in view.attendance if not a.present]
    line = f"Đơn vị thành viên dự: {view.quorum.present}/{view.quorum.members} đơn vị"
    if absent:
        line += f"; vắng {len(absent)} đơn vị: " + "; ".join(
            f"{a.unit.name} ({a.absence_reason or 'không rõ lý do'})" for a in absent)
    return rows, line + ".", view.quorum


def _elections(actor, polls, counts, bloc_year) -> list[str]:
    lines = []
    next_year = bloc_year.year + 1
    for kind, office in ((Poll.Kind.LEADER_ELECTION, "Trưởng khối"),
                         (Poll.Kind.DEPUTY_ELECTION, "Phó khối")):
        chain = [p for p in polls if p.kind == kind]
        if not chain:
            lines.append(f"{office} năm {next_year}: hội nghị chưa bầu.")
            continue
        last = counts[chain[-1].pk]
        tally = last["tally"]
        if last["selected"]:
            for cid in tally.selected:
                result = tally.result_for(cid)
                lines.append(f"{result.candidate.label} được bầu làm {office} năm {next_year}:"
                             f" {result.sentence}.")
        elif tally.needs_run_off:
            lines.append(f"{office} năm {next_year}: các ứng viên bằng phiếu, hội nghị bỏ "
                         "phiếu lại (Quy tắc 32).")
        else:
            lines.append(f"{office} năm {next_year}: không ứng viên nào đạt ngưỡng.")
    return lines


def _score_chart(actor, bloc_year) -> tuple[list[str], Image | str]:
    view = scoring_queries.published_ranking(actor, bloc_year)
    if view is None or not view.lines:
        return [], ""
    png = horizontal_bars(
        [line.unit.name for line in view.lines], [float(line.final) for line in view.lines],
        title=f"Tổng điểm thi đua năm {bloc_year.year} (xếp hạng công bố ngày "
              f"{short_date(view.ranking.published_at)})", axis="Tổng điểm",
        value_texts=[vi_number(line.final) for line in view.lines])
    return ([f"Hội nghị nghe công bố kết quả chấm điểm, xếp hạng thi đua năm {bloc_year.year}"
             f" (bảng tiêu chí “{view.table.name}”): đứng đầu là {view.lines[0].unit.name} "
             f"với {vi_number(view.lines[0].final)} điểm (biểu đồ dưới)."],
            Image(png, CHART_WIDTH_MM))


def eligibility_lines(poll: Poll) -> list[str]:
    """Issue 11 item 2: who was left off an award ballot as not eligible, and who stood
    all the same with the reason the conference gave."""
    entries = poll.ineligible or []
    left = [e for e in entries if not e.get("override")]
    lines = [f"{e['name']} chưa đủ điều kiện ({'; '.join(e['reasons'])}) nhưng được đưa vào "
             f"danh sách bỏ phiếu, lý do: {e['override']}." for e in entries
             if e.get("override")]
    if left:
        lines.insert(0, "Không đưa vào danh sách bỏ phiếu vì chưa đủ điều kiện: " + "; ".join(
            f"{e['name']} ({'; '.join(e['reasons'])})" for e in left) + ".")
    return lines


def chosen_by_form(conference) -> dict:
    """Award form → the names of the units the conference chose, in order
    (`voting.services.chosen_units`, which the proposal is checked against)."""
    chosen = voting.chosen_units(conference)
    names = dict(Unit.objects.filter(id__in={u for ids in chosen.values() for u in ids})
                 .values_list("id", "name"))
    return {form: [names[u] for u in ids] for form, ids in chosen.items()}


def minutes_context(actor, conference, on) -> dict:
    bloc_year = conference.bloc_year
    bloc = bloc_year.bloc
    attendance, attendance_line, quorum = _attendance(actor, conference)
    polls = [p for p in conference.polls.select_related(
        "conference__bloc_year__bloc__province").order_by("id") if p.state in COUNTED]
    counts = {p.pk: poll_count(actor, p) for p in polls}
    agenda = [item.strip(" .") for item in conference.agenda.replace(";", "\n").splitlines()
              if item.strip(" .")]
    score_lines, score_chart = _score_chart(actor, bloc_year)
    poll_blocks = []
    for number, poll in enumerate(polls, 1):
        count = counts[poll.pk]
        tally = count["tally"]
        lines = [f"Số đơn vị thành viên {tally.members}, có mặt {tally.present}; phát ra "
                 f"{count['issued']} phiếu, thu vào {tally.cast} phiếu, hợp lệ {tally.valid} "
                 f"phiếu, không hợp lệ {tally.invalid} phiếu.", *count["rule_lines"]]
        lines += eligibility_lines(poll)
        lines += count["notes"]
        lines.append("Kết quả: " + (", ".join(count["selected"]) if count["selected"]
                                    else "không ứng viên nào được chọn") + ".")
        poll_blocks.append({"heading": f"{number}. {poll.title}", "lines": lines,
                            "candidates": count["candidates"], "chart": chart_of(count),
                            "poll": poll})
    chosen = chosen_by_form(conference)
    # The form's result after its run-offs, under the last poll of its chain: the line the
    # proposal, the press release and the decision must agree with (issue 15 item 1).
    last = {}
    for block in poll_blocks:
        if block["poll"].kind == Poll.Kind.AWARD_PROPOSAL:
            last[block["poll"].award_form] = block
    for form, block in last.items():
        if block["poll"].run_off_of_id is not None:
            block["lines"].append(
                f"Kết quả bình xét {label_for(form, bloc_year.bloc.province)} sau bỏ phiếu "
                "lại: "
                + (", ".join(chosen[form]) or "không đơn vị nào được chọn") + ".")
    digests = [{"poll": f"{i}. {p.title}",
                "code": grouped_code(p.digest) if p.state == Poll.State.PUBLISHED
                else "Chưa công bố kết quả: mã kiểm tra có khi công bố."}
               for i, p in enumerate(polls, 1)]
    return {
        "doc_type": "BIÊN BẢN",
        "subject": f"Hội nghị tổng kết, bình xét thi đua {bloc.name} năm {bloc_year.year}",
        "legal_bases": k.legal_bases(bloc.province.code, on, territory=bloc.territory_code),
        "opening": [f"Thời gian: {_held(conference)}.", f"Địa điểm: {conference.place}.",
                    f"Chủ trì: {_person(conference, 'chair')}.",
                    f"Thư ký: {_person(conference, 'secretary')}.",
                    f"Khách mời (không biểu quyết): {conference.guests or 'không có'}.",
                    attendance_line, f"Số đơn vị dự họp: {quorum.sentence}."],
        "attendance": attendance,
        "proceedings": [f"{i}. {item}." for i, item in enumerate(agenda, 1)]
        + [f"Hội nghị bỏ phiếu kín (Quy tắc 30), mỗi đơn vị thành viên có mặt một phiếu "
           f"(Quy tắc 29); {len(polls)} cuộc bỏ phiếu đã kiểm phiếu."] + score_lines,
        "score_chart": score_chart,
        "no_polls": [] if polls else ["Chưa có cuộc bỏ phiếu nào được kiểm phiếu."],
        "polls": poll_blocks,
        "chosen": chosen,
        "elections": _elections(actor, polls, counts, bloc_year),
        "digests": digests or [{"poll": "Chưa có cuộc bỏ phiếu nào được kiểm phiếu.",
                                "code": ""}],
        "annex_intro": ANNEX_INTRO,
        "closing": [f"Hội nghị kết thúc vào hồi {_ended(conference)} cùng ngày. Biên bản đã "
                    "được đọc lại trước hội nghị, các đại biểu dự họp nhất trí thông qua."],
        "secretary": signers.minutes_block(conference, "secretary", "THƯ KÝ"),
        "chair": signers.minutes_block(conference, "chair", "CHỦ TRÌ"),
        "recipients": k.recipients(bloc_year.bloc.province, "- Các đơn vị thành viên;"),
    }


def _person(conference, role) -> str:
    """"Nguyễn Văn An, Giám đốc Sở Công Thương" when the signer was entered; else what
    the conference's own field says."""
    name, title = signers.meeting_person(conference, role)
    if title:
        return f"{name}, {title}"
    return conference.chair if role == "chair" else conference.secretary


def _can_issue_minutes(actor, conference) -> bool:
    return rules.can_issue_minutes_doc(actor, conference, _states(conference))



def _poll_issuer(poll):
    return k.bloc_issuer(poll.conference.bloc_year)


def _poll_file(prefix):
    def filename(poll):
        bloc_year = poll.conference.bloc_year
        return f"{prefix}-{bloc_year.year}-{bloc_year.bloc.code}-{poll.pk}"
    return filename


def conference_day(conference):
    """The day the conference met, in local time: the date of its minutes, count records
    and ballots."""
    return local_date(conference.held_at)


def _poll_day(poll):
    return conference_day(poll.conference)


def _poll_province(poll) -> int:
    return poll.conference.bloc_year.bloc.province_id


def conference_kinds() -> tuple:
    """The four kinds, registered in kinds.KINDS."""
    kind = k.Kind
    return (
        kind(slug="phieu-bau", label="Phiếu bầu (phiếu giấy in sẵn mã)", template="ballots",
             symbol="", load=load_ballot_poll, issuer=_poll_issuer, can_issue=_never,
             context=ballots_context, filename=_poll_file("phieu-bau"),
             province_id=_poll_province, event_date=_poll_day),
        kind(slug="the-bieu-quyet", label="Thẻ biểu quyết (mã QR)", template="voting_cards",
             symbol="", load=load_cards_poll, issuer=_poll_issuer, can_issue=_never,
             context=cards_context, filename=_poll_file("the-bieu-quyet"),
             province_id=_poll_province, event_date=_poll_day),
        kind(slug="kiem-phieu", label="Biên bản kiểm phiếu", template="count_record",
             symbol="BB", load=load_counted_poll, issuer=_poll_issuer,
             can_issue=rules.can_issue_count_record_doc, context=count_record_context,
             filename=_poll_file("bien-ban-kiem-phieu"), province_id=_poll_province,
             event_date=_poll_day),
        kind(slug="bien-ban-hop", label="Biên bản họp bình xét thi đua", template="minutes",
             symbol="BB", load=load_conference,
             issuer=lambda c: k.bloc_issuer(c.bloc_year),
             can_issue=_can_issue_minutes, context=minutes_context,
             filename=lambda c: f"bien-ban-hop-binh-xet-{c.bloc_year.year}-"
                                f"{c.bloc_year.bloc.code}",
             province_id=lambda c: c.bloc_year.bloc.province_id,
             event_date=conference_day),
    )
