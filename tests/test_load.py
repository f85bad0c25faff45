"""A short form of the load test (`python -m bench.load` runs the full one).

gunicorn with several workers on loopback, eight annotators at once, on the
database this test run uses (SQLite or PostgreSQL); afterwards the database
holds exactly what was acknowledged. No timings are asserted.
"""

import pytest
from django.conf import settings

from bench import load

pytestmark = pytest.mark.load


def database_kind():
    return "postgres" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


def test_eight_annotators_at_once_lose_nothing_and_duplicate_nothing():
    result = load.scenario(database_kind(), clients=8, annotations=24, links=3, workers=3)
    assert result["problems"] == []
    assert result["acknowledged"] == 8 * 24
    assert result["links"] == 8 * 3


def test_a_worker_killed_mid_run_loses_nothing_acknowledged():
    result = load.scenario(database_kind(), clients=8, annotations=60, links=3, workers=3, kill=True)
    assert result["killed_and_replaced"]
    assert result["problems"] == []
    assert result["acknowledged"] + result["cut_off"] == 8 * 60
