"""Every law module is pure: importing it loads no Django (issue 12: a domain core is
imported, checked and proved with hypothesis without the framework). Only the app's
Django adapters — its AppConfig and its management command — may import Django."""

import subprocess
import sys
from pathlib import Path

import pytest

import thidua.law

LAW = Path(thidua.law.__file__).parent
ADAPTERS = {"apps", "management"}
MODULES = sorted(p.stem for p in LAW.glob("*.py") if p.stem not in ADAPTERS | {"__init__"})


def test_the_pure_modules_are_all_the_law_modules_but_the_adapters():
    assert {"allocation", "award_forms", "eligibility", "excess", "quotas", "rulebooks",
            "whatif", "workflow"} <= set(MODULES)
    assert not ADAPTERS & set(MODULES)


@pytest.mark.parametrize("module", ["thidua.law", *(f"thidua.law.{m}" for m in MODULES)])
def test_importing_a_law_module_loads_no_django(module):
    check = (f"import sys; import {module}; "
             "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django'); "
             "assert not loaded, loaded")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
