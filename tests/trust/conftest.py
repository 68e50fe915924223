"""The AppTest fixtures of tests/app, for the few matrix cases that need a whole page."""

from tests.app.conftest import sample_env  # noqa: F401  (the fixture)
