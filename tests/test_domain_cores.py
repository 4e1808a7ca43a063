"""Every app's domain core is pure (issue 12, DESIGN.md "Layers"): importing any module of
a `domain` package loads no Django, so it is imported, checked and proved with hypothesis
without the framework, as the `law` app is (tests/law/test_pure.py)."""

import pkgutil
from pathlib import Path

import pytest
from tests.purity import assert_loads_no_django

import thidua

ROOT = Path(thidua.__path__[0])
DOMAINS = sorted(f"thidua.{path.parent.parent.name}.domain"
                 for path in ROOT.glob("*/domain/__init__.py"))
MODULES = sorted(module.name for domain in DOMAINS for module in pkgutil.walk_packages(
    [str(ROOT / domain.split(".")[1] / "domain")], domain + "."))


def test_the_domain_cores_are_found():
    assert {"thidua.org.domain", "thidua.scoring.domain", "thidua.voting.domain",
            "thidua.pledges.domain", "thidua.publication.domain"} <= set(DOMAINS)
    assert {"thidua.org.domain.phases", "thidua.voting.domain.tally",
            "thidua.scoring.domain.ranking"} <= set(MODULES)


@pytest.mark.parametrize("module", [*DOMAINS, *MODULES])
def test_importing_a_domain_module_loads_no_django(module):
    assert_loads_no_django(module)
