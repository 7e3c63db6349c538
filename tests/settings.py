"""The project's settings in debug, as `make test` runs them: DEBUG is off unless set, and the
suite talks to a local test server over plain HTTP with the development secret key."""

import importlib
import os

os.environ.setdefault("DEBUG", "true")
globals().update(
    (name, value)
    for name, value in vars(importlib.import_module("yorisoi.settings")).items()
    if name.isupper()
)
