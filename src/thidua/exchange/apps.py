from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    """Export of one province's whole data and its import into another instance (above
    every app whose rows it reads and writes); no tables of its own."""

    name = "thidua.exchange"
    label = "exchange"
    verbose_name = "Xuất / nhập dữ liệu"
