"""What the native import's faster paths must keep: the cyclic garbage collector is paused only
while an import runs, and runs again after it, whether the file was taken or refused.

Bad inputs tried: a file that is not JSON.
"""

import gc
import json

import pytest

from reader import formats
from tests.factories import rich_corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported():
    rich_corpus()
    return "".join(formats.export_chunks())


def test_the_cycle_collector_is_paused_while_an_import_runs(exported):
    seen = []
    formats.import_native(raw=exported, progress=lambda done, read: seen.append(gc.isenabled()))
    assert seen
    assert not any(seen)


def test_the_cycle_collector_runs_again_after_an_import(exported):
    formats.import_native(raw=exported)
    assert gc.isenabled()


def test_the_cycle_collector_runs_again_after_a_refused_import():
    with pytest.raises(formats.ImportRefused):
        formats.import_native(raw=b"{not json")
    assert gc.isenabled()


def test_an_import_leaves_the_collector_off_when_it_was_off(exported):
    gc.disable()
    try:
        formats.import_native(raw=json.dumps(json.loads(exported)))
        assert not gc.isenabled()
    finally:
        gc.enable()
