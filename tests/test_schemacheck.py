"""The fast schema check agrees with jsonschema on the native schema's records: each record of a
rich export, and each of many mutations of it (wrong types, out-of-range numbers, strings too
long or not matching, missing and unexpected fields, true for 1, null where a value is needed).

It also agrees with jsonschema (judging JSON's 1.0 no integer, as the importer's validator does)
on any schema Hypothesis builds from the keywords it knows, and on any JSON value.

The bad inputs are those mutations, values of every JSON type against those schemas, schemas with
keywords the fast check does not know, and a recursive schema.
"""

import copy
import json

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader import formats
from reader.formats.importing import Validator, _section_checks
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


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 3)
    | st.sampled_from([0.0, 1.0, 2.5])
    | st.text("ab\n", max_size=3),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from("abc"), inner, max_size=3),
    max_leaves=6,
)
scalar_types = st.sampled_from(["string", "integer", "number", "boolean", "null", "object", "array"])


def keyword_schemas(inner):
    """Schemas of the keywords the fast check knows, each alone or a few together."""
    small = st.integers(0, 3)
    one = st.one_of(
        st.fixed_dictionaries({"type": scalar_types | st.lists(scalar_types, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"const": json_values}),
        st.fixed_dictionaries({"enum": st.lists(json_values, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"anyOf": st.lists(inner, min_size=1, max_size=3)}),
        st.fixed_dictionaries({"anyOf": st.tuples(inner, st.just({"type": "null"})).map(list)}),
        st.fixed_dictionaries({"minLength": small}),
        st.fixed_dictionaries({"maxLength": small}),
        st.fixed_dictionaries({"minLength": small, "maxLength": small}),
        st.fixed_dictionaries({"pattern": st.sampled_from(["^a", "b$", "^a+$(?!\\n)", "."])}),
        st.fixed_dictionaries({"minimum": st.integers(-2, 2)}),
        st.fixed_dictionaries({"maximum": st.sampled_from([-1, 0, 1.5])}),
        st.fixed_dictionaries({"items": inner}),
        st.fixed_dictionaries({"minItems": small}),
        st.fixed_dictionaries({"maxItems": small}),
        st.fixed_dictionaries(
            {"properties": st.dictionaries(st.sampled_from("abc"), inner, max_size=3)},
            optional={
                "required": st.lists(st.sampled_from("abcd"), max_size=3, unique=True),
                "additionalProperties": st.booleans(),
            },
        ),
    )
    return st.lists(one, min_size=1, max_size=3).map(
        lambda parts: {k: v for part in parts for k, v in part.items()}
    )


schemas = st.recursive(st.just({}), keyword_schemas, max_leaves=6)


@settings(max_examples=500, deadline=None)
@given(schema=schemas, values=st.lists(json_values, min_size=1, max_size=10))
def test_any_schema_of_the_keywords_it_knows_is_judged_as_jsonschema_judges_it(schema, values):
    check, validator = compile_check(schema, {}), Validator(schema)
    for value in [*values, True, 1, 1.5, "a", None, [], {}]:
        assert check(value) == validator.is_valid(value), (value, check.source)


def test_a_reference_is_checked_with_what_stands_beside_it():
    defs = {"short": {"type": "string", "maxLength": 2}}
    check = compile_check({"$ref": "#/$defs/short", "minLength": 2}, defs)
    assert check("ab")
    assert not check("a")
    assert not check("abc")


def test_a_recursive_schema_is_refused_when_compiling():
    defs = {"tree": {"type": "array", "items": {"$ref": "#/$defs/tree"}}}
    with pytest.raises(UnsupportedSchema, match="recursive"):
        compile_check({"$ref": "#/$defs/tree"}, defs)
    with pytest.raises(UnsupportedSchema, match="recursive"):
        compile_check({"anyOf": [{"$ref": "#/$defs/tree"}, {"type": "string"}]}, defs)


def test_true_inside_an_array_is_not_the_integer_one():
    check = compile_check({"const": [1, {"a": 0}]}, {})
    assert check([1, {"a": 0}])
    assert check([1.0, {"a": 0}])
    assert not check([True, {"a": 0}])
    assert not check([1, {"a": False}])
