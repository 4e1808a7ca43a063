"""What-if preview (functional core): before the conference, from the current ranking,
eligibility and quotas, is each unit safe, borderline or out for each award form — and
what would change it.

The vote decides (RULES.md 31, 32); before it, the ranking is the best guess of its
order, so the preview reads the quota against the ranking: a unit whose seat does not
depend on the last place of the quota is safe; the last seat, a tie across it (a run-off,
RULES 32) and the first place after it are borderline; the rest, and every unit that is
not eligible (with the unmet rules and their citations), are out. The exclusive forms
(RULES 22) are read highest first: a unit safe for a higher form leaves the lower ones.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from thidua.law.allocation import QUOTA_RULE, RankedUnit
from thidua.law.award_forms import AwardForm, label_in
from thidua.law.rulebook import Rulebook

SAFE, BORDERLINE, OUT = "safe", "borderline", "out"
STATUS_WORDS = {SAFE: "Chắc chắn trong chỉ tiêu", BORDERLINE: "Sát ranh giới",
                OUT: "Ngoài"}


@dataclass(frozen=True)
class Outlook:
    unit_id: int
    award_form: str
    status: str  # safe | borderline | out
    reason: str
    change: str  # what would change it ("" when nothing would)
    rule: int | None = None

    @property
    def status_label(self) -> str:
        return STATUS_WORDS[self.status]


def _unmet_words(value) -> str:
    lines = [str(c) for c in getattr(value, "unmet", ())]
    return "; ".join(lines)


def _missing_words(value) -> str:
    return "; ".join(str(c) for c in getattr(value, "missing", ()))


def preview(*, rulebook: Rulebook, eligibility: Mapping, ranking: Sequence[RankedUnit],
            quotas: Mapping, unit_ids: Sequence[int], forms: Sequence[str] | None = None,
            kind_word: str = "tỉnh") -> dict:
    """award form → [Outlook] in ranking order (unranked units last, by id).
    `eligibility`: (unit_id, form) → Eligibility; `quotas`: form → int or Quota
    (absent: unlimited); `kind_word`: "tỉnh" or "thành phố", how the forms are named."""
    exclusive = list(rulebook.value("allocation.exclusive_forms"))
    forms = list(forms or (exclusive + [f for f in AwardForm.values if f not in exclusive]))
    ranks = {r.unit_id: r.rank for r in ranking}
    order = sorted(unit_ids, key=lambda u: (ranks.get(u) is None, ranks.get(u, 0), u))
    safe_higher = {}  # unit → higher exclusive form it is safe for
    result = {}
    for form in forms:
        quota = quotas.get(form)
        quota = getattr(quota, "count", quota)
        in_group = form in exclusive
        outlooks, candidates = {}, []
        for unit in order:
            value = eligibility.get((unit, form))
            if in_group and unit in safe_higher:
                higher = label_in(safe_higher[unit], kind_word)
                outlooks[unit] = Outlook(unit, form, OUT, f"dự kiến được đề nghị {higher}; "
                                         "một thành tích chỉ một hình thức khen thưởng", "", 22)
            elif (outlook := _not_eligible(unit, form, value, kind_word)) is not None:
                outlooks[unit] = outlook
            else:
                candidates.append(unit)
        outlooks.update(_seats(form, candidates, quota, ranks, kind_word))
        if in_group:
            for unit, outlook in outlooks.items():
                if outlook.status == SAFE and unit not in safe_higher:
                    safe_higher[unit] = form
        result[form] = [outlooks[u] for u in order if u in outlooks]
    return result


def _not_eligible(unit, form, value, kind_word) -> Outlook | None:
    """The outlook of a unit that cannot stand for `form` (unmet, deferred, unproven), or
    None when it is eligible."""
    label = label_in(form, kind_word)
    if getattr(value, "unmet", ()):
        return Outlook(unit, form, OUT, f"chưa đủ điều kiện {label}",
                       "cần đáp ứng: " + _unmet_words(value), value.unmet[0].rule)
    if getattr(value, "deferred", ()):
        return Outlook(unit, form, OUT, f"tạm hoãn xét {label}",
                       "; ".join(str(c) for c in value.deferred), value.deferred[0].rule)
    if not getattr(value, "eligible", False):
        return Outlook(unit, form, OUT, f"chưa đủ căn cứ xét {label}",
                       "cần bổ sung, xác nhận: " + _missing_words(value),
                       getattr(value.missing[0], "rule", None)
                       if getattr(value, "missing", ()) else None)
    return None


def _seats(form, candidates, quota, ranks, kind_word) -> dict:
    """unit → Outlook of each eligible candidate against the quota (RULES.md 32: the
    ranking until the votes are known; unranked candidates are uncertain)."""
    label = label_in(form, kind_word)
    if quota is None:
        return {unit: Outlook(unit, form, SAFE, f"đủ điều kiện {label}; hình thức "
                              "không giới hạn số lượng", "") for unit in candidates}
    if quota == 0:
        return {unit: Outlook(unit, form, OUT, f"chỉ tiêu {label} của khối là 0",
                              "không thay đổi được trong năm", QUOTA_RULE.get(form))
                for unit in candidates}
    ranked = [u for u in candidates if u in ranks]
    unranked = [u for u in candidates if u not in ranks]
    overflow = len(candidates) > quota
    outlooks = {}
    for unit in ranked:
        rank = ranks[unit]
        ahead = sum(1 for u in ranked if ranks[u] < rank)
        tied = sum(1 for u in ranked if ranks[u] == rank)
        behind = len(candidates) - ahead - tied
        seat = f"xếp thứ {rank}, thứ {ahead + 1} trong {len(candidates)} đơn vị đủ " \
               f"điều kiện; chỉ tiêu {quota}"
        if ahead + tied <= quota:
            if not overflow or (ahead + tied < quota and not unranked):
                outlooks[unit] = Outlook(unit, form, SAFE, seat,
                                         "" if not overflow else
                                         "chỉ mất suất nếu nhiều đơn vị xếp sau "
                                         "được nhiều phiếu hơn", 32)
            else:
                outlooks[unit] = Outlook(unit, form, BORDERLINE, seat + "; giữ suất "
                                         "cuối cùng", f"{behind} đơn vị xếp sau đủ điều "
                                         "kiện: nếu một đơn vị được nhiều phiếu hơn thì "
                                         "mất suất", 32)
        elif ahead < quota:
            outlooks[unit] = Outlook(
                unit, form, BORDERLINE,
                seat + f"; {tied} đơn vị đồng hạng tranh {quota - ahead} suất",
                "số phiếu quyết định; vẫn bằng nhau thì bỏ phiếu lại giữa các đơn vị "
                "đồng hạng", 32)
        elif ahead == quota:
            outlooks[unit] = Outlook(unit, form, BORDERLINE,
                                     seat + "; đứng ngay sau chỉ tiêu",
                                     "cần được nhiều phiếu hơn một đơn vị trong chỉ "
                                     "tiêu", 32)
        else:
            outlooks[unit] = Outlook(unit, form, OUT, seat,
                                     f"cần vượt {ahead - quota + 1} đơn vị xếp trên "
                                     "(về số phiếu) để vào chỉ tiêu", 32)
    for unit in unranked:
        outlooks[unit] = Outlook(unit, form, BORDERLINE if overflow else SAFE,
                                 "chưa có kết quả xếp hạng",
                                 "cần kết quả xếp hạng của khối" if overflow else "", 32)
    return outlooks
