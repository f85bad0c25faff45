"""A fast yes/no check of a value against a JSON Schema, for the subset of keywords the native
schema uses: pure, no Django.

jsonschema takes about 370 µs to validate one annotation record and fastjsonschema about 17 µs;
importing 100,000 annotations and their spans needs a few µs a record. So each record is first
checked by a function compiled here from its section's sub-schema (the schema stays the one
source of truth), and only a record that fails is validated again by jsonschema, for its
messages. A keyword this compiler does not know raises at compile time, so the schema cannot
outgrow it unnoticed; tests/test_schemacheck.py checks it agrees with jsonschema.
"""

import re

# Keywords that say nothing about validity (jsonschema checks "format" only with a format
# checker, which the import does not use: dates and times are parsed by the importer).
IGNORED = {"$schema", "$id", "$comment", "$defs", "title", "description", "format", "examples"}


class UnsupportedSchema(ValueError):
    pass


def compile_check(schema: dict, defs: dict):
    """A function value -> bool: does `value` satisfy `schema` ($refs point into `defs`)?"""
    return _Compiler(defs).compile(schema)


class _Compiler:
    def __init__(self, defs):
        self.defs = defs
        self.refs = {}

    def compile(self, schema):
        if "$ref" in schema:
            return self.ref(schema["$ref"])
        unknown = set(schema) - IGNORED - set(KEYWORDS) - OBJECT_KEYWORDS
        if unknown:
            raise UnsupportedSchema(f"keywords not supported by the fast check: {sorted(unknown)}")
        if schema.get("type") == "string" and not (set(schema) - IGNORED - STRING_KEYWORDS):
            return _string(schema)  # the common cases, in one function each
        if schema.get("type") == "integer" and not (set(schema) - IGNORED - INTEGER_KEYWORDS):
            return _integer(schema)
        checks = [KEYWORDS[keyword](self, schema) for keyword in KEYWORDS if keyword in schema]
        if OBJECT_KEYWORDS & schema.keys():
            checks.append(_properties(self, schema))
        if not checks:
            return lambda value: True
        if len(checks) == 1:
            return checks[0]

        def every(value):  # a loop, not all(): no generator per call on the hot path
            for check in checks:  # noqa: SIM110
                if not check(value):
                    return False
            return True

        return every

    def ref(self, ref):
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in self.defs:
            raise UnsupportedSchema(f"only local $defs references are supported, not {ref!r}")
        if name not in self.refs:
            self.refs[name] = None  # a placeholder: a recursive schema would need more than this
            self.refs[name] = self.compile(self.defs[name])
        return self.refs[name]


def _type(compiler, schema):
    types = schema["type"]
    types = [types] if isinstance(types, str) else types
    checks = [TYPES[name] for name in types]
    if len(checks) == 1:
        return checks[0]
    return lambda value: any(check(value) for check in checks)


TYPES = {
    "string": lambda value: type(value) is str,
    "integer": lambda value: type(value) is int,  # JSON's 1.0 decodes as a float: not an integer here
    "number": lambda value: type(value) in (int, float),
    "boolean": lambda value: type(value) is bool,
    "null": lambda value: value is None,
    "object": lambda value: type(value) is dict,
    "array": lambda value: type(value) is list,
}


STRING_KEYWORDS = {"type", "minLength", "maxLength", "pattern"}
INTEGER_KEYWORDS = {"type", "minimum", "maximum"}


def _integer(schema):
    low, high = schema.get("minimum", float("-inf")), schema.get("maximum", float("inf"))
    return lambda value: type(value) is int and low <= value <= high


def _string(schema):
    low, high = schema.get("minLength", 0), schema.get("maxLength")
    search = re.compile(schema["pattern"]).search if "pattern" in schema else None
    if high is None:
        high = float("inf")

    def check(value):
        return (
            type(value) is str and low <= len(value) <= high and (search is None or search(value) is not None)
        )

    return check


def _strings_only(check):
    return lambda value: type(value) is not str or check(value)


def _numbers_only(check):
    return lambda value: type(value) not in (int, float) or check(value)


def _min_length(compiler, schema):
    limit = schema["minLength"]
    return _strings_only(lambda value: len(value) >= limit)


def _max_length(compiler, schema):
    limit = schema["maxLength"]
    return _strings_only(lambda value: len(value) <= limit)


def _pattern(compiler, schema):
    search = re.compile(schema["pattern"]).search  # JSON Schema patterns are not anchored
    return _strings_only(lambda value: search(value) is not None)


def _minimum(compiler, schema):
    limit = schema["minimum"]
    return _numbers_only(lambda value: value >= limit)


def _maximum(compiler, schema):
    limit = schema["maximum"]
    return _numbers_only(lambda value: value <= limit)


def _same(a, b):
    # JSON Schema tells true from 1, which Python's == does not.
    return type(a) is type(b) and a == b if isinstance(a, bool) or isinstance(b, bool) else a == b


def _const(compiler, schema):
    expected = schema["const"]
    return lambda value: _same(value, expected)


def _enum(compiler, schema):
    options = schema["enum"]
    if all(type(option) is str for option in options):
        allowed = frozenset(options)
        return lambda value: type(value) is str and value in allowed
    return lambda value: any(_same(value, option) for option in options)


def _any_of(compiler, schema):
    checks = [compiler.compile(sub) for sub in schema["anyOf"]]
    if len(checks) == 2 and schema["anyOf"][1] == {"type": "null"}:
        first = checks[0]
        return lambda value: value is None or first(value)  # the usual "X or null"

    def any_of(value):  # a loop, not any(): no generator per call
        for check in checks:  # noqa: SIM110
            if check(value):
                return True
        return False

    return any_of


def _properties(compiler, schema):
    properties = {name: compiler.compile(sub) for name, sub in schema.get("properties", {}).items()}
    required = frozenset(schema.get("required", ()))
    closed = schema.get("additionalProperties", True) is False
    if schema.get("additionalProperties", True) not in (True, False):
        raise UnsupportedSchema("additionalProperties must be true or false")
    allowed = frozenset(properties)

    get = properties.get

    def check(value):
        if type(value) is not dict:
            return True
        keys = value.keys()
        if not required <= keys or (closed and not keys <= allowed):
            return False
        for name, item in value.items():
            property_check = get(name)
            if property_check is not None and not property_check(item):
                return False
        return True

    return check


def _items(compiler, schema):
    item_check = compiler.compile(schema["items"])
    return lambda value: type(value) is not list or all(item_check(item) for item in value)


def _max_items(compiler, schema):
    limit = schema["maxItems"]
    return lambda value: type(value) is not list or len(value) <= limit


def _min_items(compiler, schema):
    limit = schema["minItems"]
    return lambda value: type(value) is not list or len(value) >= limit


OBJECT_KEYWORDS = {"properties", "required", "additionalProperties"}
KEYWORDS = {
    "type": _type,
    "const": _const,
    "enum": _enum,
    "anyOf": _any_of,
    "minLength": _min_length,
    "maxLength": _max_length,
    "pattern": _pattern,
    "minimum": _minimum,
    "maximum": _maximum,
    "items": _items,
    "maxItems": _max_items,
    "minItems": _min_items,
}
