"""Who makes up a bloc year (functional core): RULES.md 1, 2 and 5."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from thidua.core.text import sort_key


@dataclass(frozen=True)
class Composition:
    """A proposed bloc year: unit ids of members, leader and deputies."""

    members: frozenset
    leader: int | None
    deputies: frozenset


def composition_errors(
    composition: Composition,
    *,
    min_size: int,
    max_size: int,
    names: Mapping[int, str],
    taken: Mapping[int, str],
) -> list[str]:
    """Every rule the composition breaks, as sentences naming units.

    `names` maps unit id → name; `taken` maps the id of a member that already belongs to
    another bloc this year → that bloc's name.
    """
    errors = []
    size = len(composition.members)
    if not min_size <= size <= max_size:
        errors.append(
            f"Khối phải có từ {min_size} đến {max_size} đơn vị thành viên; "
            f"đang có {size} (Quy tắc 5)."
        )
    for unit_id in _sorted(composition.members & taken.keys(), names):
        errors.append(
            f"{names[unit_id]} đã thuộc {taken[unit_id]} trong năm này; "
            "mỗi đơn vị chỉ thuộc một khối trong một năm (Quy tắc 1)."
        )
    if composition.leader is None:
        errors.append("Khối phải có đúng một đơn vị Trưởng khối (Quy tắc 2).")
    elif composition.leader not in composition.members:
        errors.append(
            f"Trưởng khối {names[composition.leader]} không phải thành viên của khối (Quy tắc 2)."
        )
    if not composition.deputies:
        errors.append("Khối phải có ít nhất một đơn vị Phó khối (Quy tắc 2).")
    for unit_id in _sorted(composition.deputies - composition.members, names):
        errors.append(f"Phó khối {names[unit_id]} không phải thành viên của khối (Quy tắc 2).")
    if composition.leader is not None and composition.leader in composition.deputies:
        errors.append(
            f"{names[composition.leader]} không thể vừa là Trưởng khối vừa là Phó khối (Quy tắc 2)."
        )
    return errors


def _sorted(ids: Iterable[int], names: Mapping[int, str]):
    return sorted(ids, key=lambda unit_id: sort_key(names[unit_id]))
