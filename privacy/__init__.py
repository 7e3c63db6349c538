"""Personal data under Japan's APPI: the registry of what we hold, export, deletion,
retention and the access log. Apps register their models from `<app>/personal_data.py`."""

from .registry import ANONYMISE, DELETE, DELETED_NAME, KEEP, register

__all__ = ["ANONYMISE", "DELETE", "DELETED_NAME", "KEEP", "register"]
