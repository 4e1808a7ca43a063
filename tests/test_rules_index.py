"""The rules index: every numbered rule of docs/RULES.md (the copy that ships with the
product) has at least one test that names it, and no test names a rule that does not exist.

The convention, one for the whole suite: a test names a rule in its function name —
`test_rule_8_…`, several as `test_rule_23_and_27_…`, a list as `test_rules_1_2_5_…`, a range
as `test_rule_17_to_27_…` (every whole number from 17 to 27). `pytest -k rule_32` runs the
tests of rule 32. The source is read, not imported, so the index costs no collection."""

import ast
import re
from pathlib import Path

TESTS = Path(__file__).parent
RULES_MD = TESTS.parent / "docs" / "RULES.md"

RULE_LINE = re.compile(r"^(\d+[a-z]?)\. ", re.MULTILINE)
NUMBER = r"\d+[a-z]?"
# `rule_` or `rules_`, then numbers joined by `_and_`, `_to_` (a range) or `_`.
NAMING = re.compile(rf"(?:^|_)rules?_({NUMBER}(?:_(?:and_|to_)?{NUMBER})*)(?=_|$)")


def rules_in(text):
    """The numbers of RULES.md's numbered rules, in the order written ("19a" included)."""
    return RULE_LINE.findall(text)


def named_rules(function_name):
    """The rules a test function's name names: `test_rule_17_to_19_and_22_x` →
    {"17", "18", "19", "22"}."""
    named = set()
    for group in NAMING.findall(function_name):
        parts = re.findall(rf"(to_)?({NUMBER})", group)
        previous = None
        for is_range_end, number in parts:
            if is_range_end and previous is not None:
                named.update(str(n) for n in range(int(previous) + 1, int(number) + 1))
            else:
                named.add(number)
            previous = number
    return named


def functions_named_test(root=TESTS):
    """(file, function name) of every test function under tests/, classes included."""
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and \
                    node.name.startswith("test_"):
                yield path.relative_to(root.parent), node.name


def index():
    """rule → the tests that name it."""
    found = {}
    for path, name in functions_named_test():
        for rule in named_rules(name):
            found.setdefault(rule, []).append(f"{path}::{name}")
    return found


def test_the_parser_reads_every_rule_of_rules_md():
    rules = rules_in(RULES_MD.read_text(encoding="utf-8"))
    whole = [int(r) for r in rules if r.isdigit()]
    # Numbered 1, 2, … without a gap or a repeat; lettered rules sit after their number.
    assert whole == list(range(1, len(whole) + 1))
    assert len(whole) >= 42
    assert [r for r in rules if not r.isdigit()] == ["19a"]
    assert rules.index("19a") == rules.index("19") + 1


def test_the_naming_grammar():
    assert named_rules("test_rule_8_the_pledge_is_signed") == {"8"}
    assert named_rules("test_rule_15_case_1_below_target") == {"15"}
    assert named_rules("test_rule_23_and_27_over_the_cap") == {"23", "27"}
    assert named_rules("test_no_errors_exactly_when_rules_1_2_5_hold") == {"1", "2", "5"}
    assert named_rules("test_every_rule_17_to_20_and_1_to_2_7_is_in") == {
        "17", "18", "19", "20", "1", "2", "7"}
    assert named_rules("test_rule_19a_unconfirmed_facts") == {"19a"}
    assert named_rules("test_quorum_rule_28") == {"28"}
    assert named_rules("test_a_rulebook_of_2017") == set()
    assert named_rules("test_rules_of_2017") == set()


def test_every_rule_has_a_test_naming_it_and_every_named_rule_exists():
    rules = set(rules_in(RULES_MD.read_text(encoding="utf-8")))
    found = index()
    assert sorted(rules - set(found), key=_order) == []
    unknown = {rule: found[rule] for rule in set(found) - rules}
    assert unknown == {}


def _order(rule):
    number = re.match(r"\d+", rule).group()
    return int(number), rule
