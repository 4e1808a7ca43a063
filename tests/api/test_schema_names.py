"""Every API shape has its own name: django-ninja names an OpenAPI component after its
class, so two routers' `KindOut` become one component and one of the operations documents
the other's answer (found by Schemathesis on GET /document-kinds, issue 14)."""

import importlib
import inspect
import pkgutil


def test_every_api_schema_class_has_its_own_name():
    from ninja import Schema

    import thidua.api

    modules = {}
    for info in pkgutil.iter_modules(thidua.api.__path__):
        module = importlib.import_module(f"thidua.api.{info.name}")
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, Schema)
                    and obj.__module__ == module.__name__):
                modules.setdefault(obj.__name__, set()).add(module.__name__)
    assert {name: found for name, found in modules.items() if len(found) > 1} == {}
