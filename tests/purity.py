"""The check that a module is pure: imported in a fresh interpreter, it loads no Django
(tests/law/test_pure.py for the law app, tests/test_domain_cores.py for every domain core)."""

import subprocess
import sys


def assert_loads_no_django(module: str):
    check = (f"import sys; import {module}; "
             "loaded = sorted(m for m in sys.modules if m.split('.')[0] == 'django'); "
             "assert not loaded, loaded")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr
