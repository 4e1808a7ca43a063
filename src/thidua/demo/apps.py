from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo province and its `thidua demo` command; no tables of its own."""

    name = "thidua.demo"
    label = "demo"
    verbose_name = "Dữ liệu mẫu"
