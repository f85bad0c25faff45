"""Races against a real gunicorn with several workers, on the database this run uses (SQLite or
PostgreSQL): each race of `bench/races.py` runs 30 times, its writes fired at the same moment,
and afterwards every acknowledged change must be in the database, every refusal a 409 or 410,
no deleted row back, no highlight on other words than it quotes, and no 5xx. No timings asserted.
"""

import pytest
from django.conf import settings

from bench import races

pytestmark = pytest.mark.load


def database_kind():
    return "postgres" if "postgresql" in settings.DATABASES["default"]["ENGINE"] else "sqlite"


@pytest.fixture(scope="module")
def results():
    return races.run(database_kind(), rounds=30)


@pytest.mark.parametrize("race", list(races.RACES))
def test_a_race_loses_nothing_acknowledged_and_brings_nothing_back(results, race):
    assert results[race]["rounds"] == 30
    assert results[race]["problems"] == []


def test_the_races_saw_both_orders(results):
    """A race that always ran in one order tested nothing: each two-sided race saw both winners."""
    for race in ("stale_panels", "delete_vs_edit"):
        assert len(results[race]["outcomes"]) >= 2, (race, results[race]["outcomes"])
