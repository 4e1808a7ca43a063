"""Every law module is pure: importing it loads no Django (issue 12: a domain core is
imported, checked and proved with hypothesis without the framework). Only the app's
Django adapters — its AppConfig and its management command — may import Django."""

import pkgutil

import pytest
from tests.purity import assert_loads_no_django

import thidua.law

ADAPTERS = {"thidua.law.apps", "thidua.law.management"}
MODULES = sorted(m.name for m in pkgutil.walk_packages(thidua.law.__path__, "thidua.law.")
                 if not any(m.name == a or m.name.startswith(a + ".") for a in ADAPTERS))


def test_the_pure_modules_are_all_the_law_modules_but_the_adapters():
    assert {f"thidua.law.{m}" for m in (
        "allocation", "award_forms", "eligibility", "excess", "quotas", "rulebooks",
        "rulebooks.reading", "rulebooks.settings", "whatif", "workflow")} <= set(MODULES)
    assert not [m for m in MODULES if m.startswith(("thidua.law.apps",
                                                    "thidua.law.management"))]


@pytest.mark.parametrize("module", ["thidua.law", *MODULES])
def test_importing_a_law_module_loads_no_django(module):
    assert_loads_no_django(module)
