"""Documents benchmark (issue 6): the conference minutes as DOCX and as PDF, and a
province's whole pack (40 blocs), beside a bare python-docx document of the same length and
a bare LibreOffice conversion of the same DOCX, all in the same run, with the ratios.

    python bench/documents.py                 # 40 blocs × 12 units, SQLite
    python bench/documents.py --blocs 5 --repeat 3

Data, built through the services into a fresh SQLite file var/bench/documents.sqlite3:
one province, P blocs of 12 units (each with its pledge), the first bloc's year-end
conference (every member present, a counting committee, a Bằng khen poll voted by card by
all twelve, the leader election, both counted and published: the minutes' data), and in
every bloc a proposal accepted by the province with 4 proposed lines (its letter and
4 achievement reports). The pack therefore holds 40 × 6 papers + the decision draft, each as
DOCX and PDF, and the two statistics workbooks.

Timed (median of --repeat runs, the pack once):
  (a) the minutes' DOCX through documents.services.render (the live data, the template);
  (b) its PDF: (a) then one LibreOffice conversion (documents.pdf);
  (c) a bare python-docx document of the same length as (a): its paragraphs' text, its
      tables and its pictures in a default document (issue 15: "of the same length");
  (d) a bare LibreOffice conversion of the same DOCX (a): `soffice --headless
      --convert-to pdf` with its own lasting profile, no lock (issue 15: "of the same DOCX");
  (e) the province pack through documents.pack.build_zip (a conversion per bloc).
Ratios: a/c, b/d, and the pack per paper against (d) per paper.
"""

import argparse
import io
import os
import statistics as stats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var" / "bench"
UNITS = 12


def setup_django(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["THIDUA_DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "thidua.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def held_at():
    from django.utils import timezone

    now = timezone.localtime()
    return now.replace(hour=8, minute=0, second=0, microsecond=0) if now.hour >= 8 else (
        now - __import__("datetime").timedelta(minutes=1))


def build(blocs: int):
    """The province through the services (org, voting); proposals written as rows."""
    from django.utils import timezone

    from thidua.awards.models import Proposal, ProposalLine
    from thidua.core.models import User
    from thidua.law.award_forms import AwardForm
    from thidua.org import services as org
    from thidua.org.domain.phases import ORDER, Phase
    from thidua.org.models import Bloc, Province, Unit
    from thidua.org.rules import actor_for
    from thidua.voting import services as voting
    from thidua.voting.models import Poll

    admin = User.objects.create_user(username="bench", password="x", is_superuser=True,  # noqa: S106
                                     is_staff=True)
    system = actor_for(admin)
    province = Province.objects.create(code="BN", name="Bắc Ninh")
    today = timezone.localdate()
    year = org.ensure_year(system, province, today.year)
    bloc_years = []
    for b in range(1, blocs + 1):
        bloc = Bloc.objects.create(province=province, code=f"K{b:02d}", kind=Bloc.Kind.KHOI,
                                   name=f"Khối thi đua số {b}")
        units = Unit.objects.bulk_create(
            Unit(province=province, code=f"K{b:02d}U{u:02d}",
                 name=f"Sở, ngành số {u} của khối {b}") for u in range(1, UNITS + 1))
        bloc_year = org.create_bloc_year(system, bloc, year, members=units, leader=units[0],
                                         deputies=[units[1]])
        while ORDER.index(Phase(bloc_year.phase)) < ORDER.index(Phase.CONFERENCE):
            org.move_phase(system, bloc_year, ORDER[ORDER.index(Phase(bloc_year.phase)) + 1])
            bloc_year.refresh_from_db()
        proposal = Proposal.objects.create(bloc_year=bloc_year, state="accepted",
                                           conference_date=today, rulebook="bench")
        ProposalLine.objects.bulk_create(
            ProposalLine(proposal=proposal, unit=unit, award_form=form, position=i, votes=11)
            for i, (unit, form) in enumerate(zip(units[:4], [
                AwardForm.GOVERNMENT_FLAG, AwardForm.PROVINCIAL_FLAG,
                AwardForm.CERTIFICATE_OF_MERIT, AwardForm.CERTIFICATE_OF_MERIT], strict=True), 1))
        bloc_years.append(bloc_year)
    # The first bloc's conference: the minutes' data.
    bloc_year = bloc_years[0]
    conference = voting.create_conference(
        system, bloc_year, held_at=held_at(), place="Hội trường Ủy ban nhân dân tỉnh",
        chair="Nguyễn Văn An", secretary="Trần Thị Bình",
        guests="Thường trực Hội đồng Thi đua - Khen thưởng tỉnh",
        agenda="Tổng kết phong trào thi đua; Bình xét đề nghị khen thưởng; Bầu Trưởng khối")
    for unit_id in voting.member_ids(bloc_year):
        voting.record_attendance(system, conference, unit_id, present=True,
                                 delegate_name=f"Đại biểu {unit_id}")
    voting.set_committee(system, conference, [("Lê Văn Cường", "Trưởng ban", None),
                                              ("Phạm Thị Dung", "Thành viên", None)])
    # No scores nor pledges here, so no unit is eligible by the rules: every member is put
    # on the award poll with a reason (voting.candidacy's overrides), as a bloc may.
    members = sorted(voting.member_ids(bloc_year))
    for kind, form, extra in (
            (Poll.Kind.AWARD_PROPOSAL, AwardForm.CERTIFICATE_OF_MERIT,
             {"unit_ids": members,
              "overrides": {u: "Đưa vào danh sách để đo hiệu năng" for u in members}}),
            (Poll.Kind.LEADER_ELECTION, "", {})):
        poll = voting.open_poll(system, voting.create_poll(system, conference, kind,
                                                           award_form=form, **extra))
        first = poll.candidates.order_by("position", "id").first().id
        for card in voting.issue_cards(system, poll):
            voting.cast_with_card(card.token, poll.pk, [first])
        voting.publish_poll(system, voting.close_poll(system, Poll.objects.get(pk=poll.pk)))
    return system, year, conference


def bare_docx(template: bytes):
    """A function building, with bare python-docx, a document of the same length as
    `template` (the minutes): the same paragraphs' text, the same tables (rows × columns
    and cells' text) and the same pictures, in a default document — no template, no data."""
    from docx import Document
    from docx.shared import Emu

    source = Document(io.BytesIO(template))
    texts = [p.text for p in source.paragraphs]
    tables = [[[cell.text for cell in row.cells] for row in table.rows]
              for table in source.tables]
    pictures = [(source.part.related_parts[blip.embed].blob, shape.width)
                for shape in source.inline_shapes
                for blip in [shape._inline.graphic.graphicData.pic.blipFill.blip]]

    def build() -> bytes:
        doc = Document()
        for text in texts:
            doc.add_paragraph(text)
        for rows in tables:
            table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for row, values in zip(table.rows, rows, strict=True):
                for cell, value in zip(row.cells, values, strict=False):
                    cell.text = value
        for blob, width in pictures:
            doc.add_picture(io.BytesIO(blob), width=Emu(width))
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()

    return build, (len(texts), len(tables), len(pictures))


def bare_conversion(docx: bytes, home: Path) -> bytes:
    """The plain command anyone runs on the same DOCX (`soffice --headless --convert-to
    pdf`), with its own lasting profile under `home` — no lock, no throw-away profile."""
    import subprocess
    import tempfile

    from thidua.documents import pdf

    with tempfile.TemporaryDirectory(prefix="bench-bare-") as work:
        source = Path(work) / "bien-ban.docx"
        source.write_bytes(docx)
        subprocess.run([pdf.soffice(), "--headless", "--convert-to", "pdf", "--outdir", work,  # noqa: S603
                        str(source)], check=True, capture_output=True,
                       env={**os.environ, "HOME": str(home)})
        return source.with_suffix(".pdf").read_bytes()


def timed(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return stats.median(times), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blocs", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_django(VAR / "documents.sqlite3")
    from django.utils import timezone

    from thidua.documents import pack, pdf, services
    from thidua.documents.kinds import kind_for

    if pdf.soffice() is None:
        sys.exit("LibreOffice (soffice) chưa được cài: sh scripts/system-deps test")
    start = time.perf_counter()
    actor, year, conference = build(args.blocs)
    print(f"Dữ liệu: {args.blocs} khối × {UNITS} đơn vị, "
          f"{time.perf_counter() - start:.1f} s")
    kind = kind_for("bien-ban-hop")
    subject = kind.load(actor, conference.pk)
    today = timezone.localdate()

    def minutes_docx():
        return services.render(kind, actor, subject, number=None, on=today)

    a, docx = timed(minutes_docx, args.repeat)
    converted, _ = timed(lambda: pdf.docx_to_pdf(docx), args.repeat)
    b = a + converted
    build_bare, shape = bare_docx(docx)
    c, _ = timed(build_bare, args.repeat)
    home = VAR / "bare-home"
    bare_conversion(docx, home)  # the bare command's profile is made once, as a user's is
    d, _ = timed(lambda: bare_conversion(docx, home), args.repeat)
    papers = sum(len(g.items) for g in pack.contents(year))
    start = time.perf_counter()
    data = pack.build_zip(actor, year)
    e = time.perf_counter() - start
    rows = [
        ("(a) biên bản họp — DOCX", a),
        ("(b) biên bản họp — PDF (DOCX + chuyển đổi)", b),
        (f"(c) python-docx trần, cùng độ dài ({shape[0]} đoạn, {shape[1]} bảng, "
         f"{shape[2]} hình) — DOCX", c),
        ("(d) LibreOffice trần — chuyển chính DOCX (a) sang PDF", d),
        (f"(e) bộ hồ sơ cả tỉnh — {args.blocs} khối, {papers} văn bản × (DOCX + PDF), "
         f"ZIP {len(data) / 1e6:.1f} MB", e),
    ]
    for label, seconds in rows:
        print(f"{label:<78} {seconds * 1000:10.1f} ms")
    print(f"Tỷ lệ a/c (dựng DOCX so với python-docx trần): {a / c:.1f}×")
    print(f"Tỷ lệ b/d (PDF biên bản so với chuyển đổi trần): {b / d:.2f}×")
    print(f"Bộ hồ sơ: {e / papers * 1000:.0f} ms mỗi văn bản (DOCX + PDF); so với (d) mỗi "
          f"văn bản: {e / papers / d:.2f}×")


if __name__ == "__main__":
    main()
