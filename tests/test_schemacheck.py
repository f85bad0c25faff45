"""The fast schema check agrees with jsonschema on the native schema's records: each record of a
rich export, and each of many mutations of it (wrong types, out-of-range numbers, strings too
long or not matching, missing and unexpected fields, true for 1, null where a value is needed).

The bad inputs are those mutations, and schemas with keywords the fast check does not know.
"""

import copy
import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import formats
from reader.formats.importing import _section_checks
from reader.formats.schemacheck import UnsupportedSchema, compile_check
from tests.factories import rich_corpus

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    None,
    True,
    False,
    0,
    1,
    -1,
    2**31,
    2**64,
    1.5,
    "",
    " ",
    "x" * 301,
    "pair\n",
    "#CC79A7",
    [],
    {},
    ["a"],
]


@pytest.fixture(scope="module")
def records(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        from django.db import transaction

        with transaction.atomic():
            rich_corpus()
            data = json.loads("".join(formats.export_chunks()))
            transaction.set_rollback(True)
    return [(section, record) for section in formats.native.SECTIONS for record in data[section]]


def agree(section, record):
    check, validator = _section_checks()[section]
    assert check(record) == validator.is_valid(record), (section, record)


def test_every_exported_record_passes_both(records):
    for section, record in records:
        check, validator = _section_checks()[section]
        assert check(record)
        assert validator.is_valid(record)


@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_a_mutated_record_is_judged_alike(records, data):
    section, record = data.draw(st.sampled_from(records))
    if not isinstance(record, dict):
        agree(section, data.draw(st.sampled_from(ODD_VALUES)))
        return
    mutated = copy.deepcopy(record)
    name = data.draw(st.sampled_from(sorted(record)))
    action = data.draw(st.sampled_from(["replace", "drop", "add"]))
    if action == "replace":
        mutated[name] = data.draw(st.sampled_from(ODD_VALUES))
    elif action == "drop":
        del mutated[name]
    else:
        mutated["unexpected"] = 1
    agree(section, mutated)


def test_a_keyword_it_does_not_know_is_refused_when_compiling():
    with pytest.raises(UnsupportedSchema, match="oneOf"):
        compile_check({"oneOf": [{"type": "string"}]}, {})
    with pytest.raises(UnsupportedSchema, match="only local"):
        compile_check({"$ref": "https://example.org/schema"}, {})


def test_true_is_not_the_integer_one():
    check = compile_check({"type": "integer", "minimum": 0}, {})
    assert check(1)
    assert not check(True)
    assert not jsonschema.Draft202012Validator({"type": "integer"}).is_valid(True)
