"""The province, its blocs, units, years, bloc years, memberships and roles."""

from django.db.models import Q

from thidua.exchange.envelope import BLOC_YEAR, Section, by
from thidua.org import models as org

SECTIONS = (
    Section("province", org.Province, lambda p: {"pk": p.pk},
            ("code", "name", "kind", "min_bloc_size", "max_bloc_size", "merged_on",
             "merger_resolution"),
            key=lambda o, k: o.code),
    # After a merger (exchange.merger) a bloc or unit names its former territory, and a
    # unit its row there: rows of a former province, exported with it (export.py), whose
    # keys are "<province code>" and "<province code>:<unit code>".
    Section("blocs", org.Bloc, by("province"), ("code", "name", "kind", "short_name"),
            {"province": "province", "territory": "province"}, key=lambda o, k: o.code),
    Section("units", org.Unit, by("province"), ("code", "name"),
            {"province": "province", "territory": "province", "former_unit": "units"},
            key=lambda o, k: o.code),
    Section("years", org.EmulationYear, by("province"), ("year", "registration_deadline"),
            {"province": "province"}, key=lambda o, k: str(o.year)),
    Section("bloc_years", org.BlocYear, by("bloc__province"), ("phase",),
            {"bloc": "blocs", "emulation_year": "years", "leader_unit": "units"},
            key=lambda o, k: f"{k['blocs'][o.bloc_id]}/{k['years'][o.emulation_year_id]}"),
    Section("memberships", org.Membership, by(BLOC_YEAR), (),
            {"bloc_year": "bloc_years", "unit": "units", "emulation_year": "years"}),
    Section("past_leaders", org.PastLeader, by("bloc__province"),
            ("document_number", "document_date", "recorded_at"),
            {"bloc": "blocs", "emulation_year": "years", "leader_unit": "units",
             "recorded_by": "users"},
            key=lambda o, k: f"{k['blocs'][o.bloc_id]}/{k['years'][o.emulation_year_id]}"),
    Section("lineage_events", org.LineageEvent, by("province"),
            ("kind", "effective_date", "document_number", "document_date", "note",
             "recorded_at"), {"province": "province", "recorded_by": "users"},
            many={"predecessors": "units", "successors": "units"}),
    Section("role_assignments", org.RoleAssignment,
            lambda p: Q(province=p) | Q(bloc_year__bloc__province=p) | Q(unit__province=p),
            ("role",), {"user": "users", "province": "province", "bloc_year": "bloc_years",
                        "unit": "units"}),
)
