"""The streaming reader gives what json.loads gives, item by item, whatever the read size (so
items cut across reads are joined), and refuses what json.loads refuses, with line and column.

A file read whole (arrays decoded at once) gives the same items, escape flags and errors as one
read item by item; a file over the size for that is still read item by item.

The bad inputs: text that is not JSON (a missing comma, a stray word, an unclosed array, extra
data after the object), a top level that is not an object, bytes that are not UTF-8, an item
larger than the limit; and, read whole and item by item alike, valid files with one character
deleted, doubled or replaced by a stray one, items holding \u0000 or lone surrogates.
"""

import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.formats import jsonstream

scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
documents = st.dictionaries(st.text(), st.lists(values, max_size=5) | values, max_size=5)


def read(raw, read_bytes=7, **options):
    old = jsonstream.READ_BYTES
    jsonstream.READ_BYTES = read_bytes
    try:
        return list(jsonstream.Items(io.BytesIO(raw), **options))
    finally:
        jsonstream.READ_BYTES = old


def rebuild(items):
    data = {}
    for key, index, value, _ in items:
        if index is None:
            data[key] = value
        else:
            data.setdefault(key, []).append(value)
    return data


@settings(max_examples=200, deadline=None)
@given(
    document=documents,
    ascii=st.booleans(),
    indent=st.sampled_from([None, 1]),
    read_bytes=st.sampled_from([1, 3, 64]),
)
def test_it_reads_what_json_loads_reads(document, ascii, indent, read_bytes):
    raw = json.dumps(document, ensure_ascii=ascii, indent=indent).encode("utf-8", "surrogatepass")
    if not ascii and any(0xD800 <= ord(c) <= 0xDFFF for c in raw.decode("utf-8", "surrogatepass")):
        return  # a lone surrogate written raw is not UTF-8; as \\ud800 it is (the ascii case)
    assert rebuild(read(raw, read_bytes)) == json.loads(raw)


def test_it_says_which_items_may_hold_a_nul_or_a_lone_surrogate():
    raw = b'{"a": [{"x": "fine"}, {"x": "\\u0000"}, {"x": "\\ud800"}, {"x": "\\ud83d\\ude00"}]}'
    assert [escapes for *_, escapes in read(raw)] == [False, True, True, True]


def test_a_byte_order_mark_is_skipped():
    assert read(b'\xef\xbb\xbf{"a": 1}') == [("a", None, 1, False)]


def test_it_counts_the_bytes_it_has_read():
    raw = json.dumps({"a": list(range(1000))}).encode()
    items = jsonstream.Items(io.BytesIO(raw))
    list(items)
    assert items.bytes_read == len(raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{\n  "a": [1 2]}', "Expecting ',' delimiter at line 2, column 11"),
        (b"{\n  oops}", "Expecting property name enclosed in double quotes at line 2, column 3"),
        (b'{"a": [1, 2', "Expecting ',' delimiter at line 1, column 12"),
        (b'{"a": 1} x', "Extra data at line 1, column 10"),
        (b"[1, 2]", "The file is not a JSON object at line 1, column 1"),
        (b"", "Expecting value at line 1, column 1"),
    ],
)
def test_what_is_not_json_is_refused_with_line_and_column(raw, message):
    with pytest.raises(jsonstream.JSONError) as refused:
        read(raw)
    assert str(refused.value) == message


def test_bytes_that_are_not_utf8_are_refused_with_their_position():
    with pytest.raises(jsonstream.NotUTF8) as refused:
        read(b'{"a": "caf\xe9"}', read_bytes=4)
    assert refused.value.byte == 10


def test_an_item_over_the_limit_is_refused_without_reading_on():
    raw = json.dumps({"documents": [{"text": "x" * 5000}]}).encode()
    with pytest.raises(jsonstream.TooLarge) as refused:
        read(raw, read_bytes=100, max_item_chars=1000)
    assert (refused.value.key, refused.value.index) == ("documents", 0)


def outcome(raw, **options):
    """The items read, or the error and its message."""
    try:
        return read(raw, **options)
    except (jsonstream.JSONError, jsonstream.NotUTF8, jsonstream.TooLarge) as error:
        return type(error).__name__, str(error)


@settings(max_examples=200, deadline=None)
@given(document=documents, ascii=st.booleans(), indent=st.sampled_from([None, 1]))
def test_a_file_read_whole_gives_what_one_read_item_by_item_gives(document, ascii, indent):
    raw = json.dumps(document, ensure_ascii=ascii, indent=indent).encode("utf-8", "surrogatepass")
    assert outcome(raw, read_bytes=64, whole_bytes=len(raw)) == outcome(raw, read_bytes=64)


@settings(max_examples=300, deadline=None)
@given(
    document=documents,
    where=st.floats(0, 1, exclude_max=True),
    change=st.sampled_from(["delete", "double", "stray"]),
    stray=st.sampled_from(list(',:[]{}"\\ 0a-')),
)
def test_a_broken_file_read_whole_is_refused_as_one_read_item_by_item(document, where, change, stray):
    raw = json.dumps(document).encode()
    at = int(where * len(raw))
    raw = {
        "delete": raw[:at] + raw[at + 1 :],
        "double": raw[: at + 1] + raw[at:],
        "stray": raw[:at] + stray.encode() + raw[at + 1 :],
    }[change]
    assert outcome(raw, read_bytes=64, whole_bytes=len(raw)) == outcome(raw, read_bytes=64)


def test_items_that_may_hold_a_nul_or_a_lone_surrogate_are_told_in_a_file_read_whole():
    raw = b'{"a": [{"x": "fine"}, {"x": "\\u0000"}, {"x": "\\ud800"}], "b": [1, 2]}'
    flags = [(key, escapes) for key, _, _, escapes in read(raw, whole_bytes=len(raw))]
    assert flags == [("a", False), ("a", True), ("a", True), ("b", False), ("b", False)]


def test_a_file_over_the_size_read_whole_is_read_item_by_item(monkeypatch):
    monkeypatch.setattr(jsonstream, "READ_BYTES", 100)
    raw = json.dumps({"documents": [{"text": "y"}, {"text": "x" * 5000}]}).encode()
    items = jsonstream.Items(io.BytesIO(raw), whole_bytes=1000)
    first = next(iter(items))
    assert first == ("documents", 0, {"text": "y"}, False)
    assert items.bytes_read < len(raw)
    with pytest.raises(jsonstream.TooLarge) as refused:
        read(raw, read_bytes=100, max_item_chars=1000, whole_bytes=1000)
    assert (refused.value.key, refused.value.index) == ("documents", 1)
