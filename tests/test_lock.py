"""The lock file pins every dependency pyproject.toml declares, and the venv runs those pins.

`make` installs with `-c requirements.lock`, so a dependency missing from the lock would be
resolved afresh on every new machine — the drift the lock exists to prevent.
"""

import re
import tomllib
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def canonical(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def pins():
    lines = (ROOT / "requirements.lock").read_text(encoding="utf-8").splitlines()
    found = {}
    for line in lines:
        if line and not line.startswith("#"):
            name, version = line.split("==")
            found[canonical(name)] = version
    return found


def declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    requirements = project["dependencies"] + project["optional-dependencies"]["test"]
    return {canonical(re.match(r"[A-Za-z0-9_.-]+", r).group()) for r in requirements}


def test_every_declared_dependency_is_pinned():
    assert declared() - set(pins()) == set()


def test_the_venv_runs_the_pinned_versions():
    installed = {canonical(d.metadata["Name"]): d.version for d in metadata.distributions()}
    differing = {name: (version, installed.get(name)) for name, version in pins().items()
                 if name in installed and installed[name] != version}
    assert differing == {}
