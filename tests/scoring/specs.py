"""Builders of criterion specs for the core's tests, and the demo-shaped table."""

from fractions import Fraction

from thidua.scoring.domain.methods import CriterionSpec


def leaf(code, max_points, method, parent=None, evidence=False, **params):
    return CriterionSpec(code=code, title=f"Tiêu chí {code}", is_section=False,
                         max_points=Fraction(str(max_points)), method=method, params=params,
                         parent=parent, evidence_required=evidence)


def section(code, max_points, parent=None):
    return CriterionSpec(code=code, title=f"Nhóm {code}", is_section=True,
                         max_points=Fraction(str(max_points)), parent=parent)


def demo_like():
    """The shape of demo.yaml's table: 100 points in five sections, bonus 15, penalty."""
    return [
        section("I", 50),
        leaf("I.1", 30, "target_formula", "I", evidence=True),
        leaf("I.2", 10, "graded", "I", grades=[0, 5, 10]),
        leaf("I.3", 10, "graded", "I", grades=[0, 5, 10]),
        section("II", 15),
        leaf("II.1", 5, "deduction", "II", per_item=1),
        leaf("II.2", 5, "deduction", "II", per_item=1),
        leaf("II.3", 5, "count", "II", per_item=1, evidence=True),
        section("III", 15),
        leaf("III.1", 15, "imported", "III"),
        section("IV", 10),
        leaf("IV.1", 10, "deduction", "IV", per_item=5),
        section("V", 10),
        leaf("V.1", 10, "deduction", "V", per_item=2),
        section("B", 15),
        leaf("B.1", 15, "bonus", "B", per_item=15),
        leaf("B.2", 10, "bonus", "B", per_item=10),
        leaf("B.3", 15, "bonus", "B", per_item=2),
        section("P", 10),
        leaf("P.1", 10, "penalty", "P", per_item=10),
    ]
