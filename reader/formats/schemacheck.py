"""A fast yes/no check of a value against a JSON Schema, for the subset of keywords the native
schema uses: pure, no Django.

jsonschema takes about 370 µs to validate one annotation record and fastjsonschema about 17 µs;
importing 100,000 annotations and their spans needs a few µs a record. So each record is first
checked by a function compiled here from its section's sub-schema (the schema stays the one
source of truth), and only a record that fails is validated again by jsonschema, for its
messages. A keyword this compiler does not know raises at compile time, so the schema cannot
outgrow it unnoticed; tests/test_schemacheck.py checks it agrees with jsonschema.

The check is compiled to Python source, one function per schema with every property's check
written inline (`check.source` shows it): a closure per keyword and property cost about 7 µs an
annotation record, mostly in calls; the inlined function about 1.7 µs.
"""

import itertools
import re

# Keywords that say nothing about validity (jsonschema checks "format" only with a format
# checker, which the import does not use: dates and times are parsed by the importer).
IGNORED = {"$schema", "$id", "$comment", "$defs", "title", "description", "format", "examples"}
OBJECT_KEYWORDS = {"properties", "required", "additionalProperties"}
KEYWORDS = {
    "$ref", "type", "const", "enum", "anyOf", "minLength", "maxLength", "pattern", "minimum", "maximum",
    "items", "maxItems", "minItems", *OBJECT_KEYWORDS,
}  # fmt: skip

# What `type(value)` must be for each JSON type: JSON's 1.0 decodes as a float, so it is no
# integer here, and True is a bool, neither integer nor number (JSON Schema tells them apart).
TYPES = {
    "string": "type({v}) is str",
    "integer": "type({v}) is int",
    "number": "type({v}) in (int, float)",
    "boolean": "type({v}) is bool",
    "null": "{v} is None",
    "object": "type({v}) is dict",
    "array": "type({v}) is list",
}
NOT_TYPES = {
    "string": "type({v}) is not str",
    "integer": "type({v}) is not int",
    "number": "type({v}) not in (int, float)",
    "boolean": "type({v}) is not bool",
    "null": "{v} is not None",
    "object": "type({v}) is not dict",
    "array": "type({v}) is not list",
}
FAIL = ": return False"


_numbers = itertools.count(1)


class UnsupportedSchema(ValueError):
    pass


def compile_check(schema: dict, defs: dict):
    """A function value -> bool: does `value` satisfy `schema` ($refs point into `defs`)?"""
    return _Compiler(defs).function(schema)


def _same(a, b):
    """Equal as JSON Schema has it: true is not 1 (Python's == says it is), also inside arrays
    and objects."""
    if type(a) is list and type(b) is list:
        return len(a) == len(b) and all(map(_same, a, b))
    if type(a) is dict and type(b) is dict:
        return a.keys() == b.keys() and all(_same(a[key], b[key]) for key in a)
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


class _Compiler:
    def __init__(self, defs):
        self.defs = defs
        self.names = {"_same": _same}  # what the generated code refers to: patterns, sets, functions
        self.expanding = []  # the $refs being written inline, to refuse a recursive schema

    def function(self, schema):
        lines = self.statements(schema, "v0", 0)
        source = "\n".join(["def check(v0):", *(f"    {line}" for line in lines), "    return True", ""])
        namespace = dict(self.names)
        try:
            # The source is written here, from the schema; a file name of its own per function
            # lets profiles tell them apart.
            exec(compile(source, f"<schemacheck {next(_numbers)}>", "exec"), namespace)  # noqa: S102
        except (SyntaxError, RecursionError) as error:
            raise UnsupportedSchema(f"the schema is nested too deeply for the fast check ({error})") from None
        check = namespace["check"]
        check.source = source
        return check

    def name(self, prefix, value):
        """A name for `value` in the generated code."""
        name = f"{prefix}{len(self.names)}"
        self.names[name] = value
        return name

    def statements(self, schema, v, depth):
        """Lines (indented from 0) that `return False` when the value in variable `v` does not
        satisfy `schema`; `depth` names the variables of nested values (v1, v2, …)."""
        unknown = set(schema) - IGNORED - KEYWORDS
        if unknown:
            raise UnsupportedSchema(f"keywords not supported by the fast check: {sorted(unknown)}")
        lines = []
        if "$ref" in schema:
            lines += self.ref(schema["$ref"], v, depth)
        known = None  # the one Python type the value is known to have after the type check
        if "type" in schema:
            types = [schema["type"]] if isinstance(schema["type"], str) else schema["type"]
            if len(types) == 1:
                lines.append(f"if {NOT_TYPES[types[0]].format(v=v)}: return False")
            else:
                lines.append(
                    f"if not ({' or '.join(TYPES[name].format(v=v) for name in types)}): return False"
                )
            known = types[0] if len(types) == 1 else None
        if "const" in schema:
            lines.append(f"if not _same({v}, {self.name('const', schema['const'])}): return False")
        if "enum" in schema:
            options = schema["enum"]
            if all(type(option) is str for option in options):
                allowed = self.name("enum", frozenset(options))
                lines.append(f"if type({v}) is not str or {v} not in {allowed}: return False")
            else:
                allowed = self.name("enum", list(options))
                lines.append(f"if not any(_same({v}, option) for option in {allowed}): return False")
        if "anyOf" in schema:
            lines += self.any_of(schema["anyOf"], v, depth)
        lines += self.guarded("string", known, v, self.string(schema, v))
        lines += self.guarded("number", known, v, self.number(schema, v))
        lines += self.guarded("array", known, v, self.array(schema, v, depth))
        lines += self.guarded("object", known, v, self.object(schema, v, depth))
        return _joined(lines)

    @staticmethod
    def guarded(kind, known, v, lines):
        """A keyword for strings says nothing of other values: its lines run only for strings
        (and likewise for numbers, arrays, objects), unless the type check made sure already."""
        if not lines or known == kind or (kind == "number" and known == "integer"):
            return lines
        test = TYPES[kind].format(v=v)
        return [f"if {test}:", *(f"    {line}" for line in lines)]

    def ref(self, ref, v, depth):
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in self.defs:
            raise UnsupportedSchema(f"only local $defs references are supported, not {ref!r}")
        if name in self.expanding:
            raise UnsupportedSchema(f"a recursive schema ({name!r} refers to itself) is not supported")
        self.expanding.append(name)
        lines = self.statements(self.defs[name], v, depth)
        self.expanding.pop()
        return lines

    def any_of(self, options, v, depth):
        if len(options) == 2 and options[1] == {"type": "null"}:  # the usual "X or null"
            inner = self.statements(options[0], v, depth)
            return [f"if {v} is not None:", *(f"    {line}" for line in inner)] if inner else []
        checks = []
        for option in options:
            compiler = _Compiler(self.defs)
            compiler.expanding = list(self.expanding)
            checks.append(self.name("any", compiler.function(option)))
        return [f"if not ({' or '.join(f'{check}({v})' for check in checks)}): return False"]

    def string(self, schema, v):
        lines = []
        low, high = schema.get("minLength"), schema.get("maxLength")
        if low is not None and high is not None:
            lines.append(f"if not {int(low)} <= len({v}) <= {int(high)}: return False")
        elif low is not None:
            lines.append(f"if len({v}) < {int(low)}: return False")
        elif high is not None:
            lines.append(f"if len({v}) > {int(high)}: return False")
        if "pattern" in schema:  # JSON Schema patterns are not anchored: search, not match
            search = self.name("pattern", re.compile(schema["pattern"]).search)
            lines.append(f"if {search}({v}) is None: return False")
        return lines

    def number(self, schema, v):
        lines = []
        for keyword, fails in (("minimum", "<"), ("maximum", ">")):
            if keyword in schema:
                lines.append(f"if {v} {fails} {self.name(keyword, schema[keyword])}: return False")
        return lines

    def array(self, schema, v, depth):
        lines = []
        if "minItems" in schema:
            lines.append(f"if len({v}) < {int(schema['minItems'])}: return False")
        if "maxItems" in schema:
            lines.append(f"if len({v}) > {int(schema['maxItems'])}: return False")
        if "items" in schema:
            item = f"v{depth + 1}"
            inner = self.statements(schema["items"], item, depth + 1)
            if inner:
                lines += [f"for {item} in {v}:", *(f"    {line}" for line in inner)]
        return lines

    def object(self, schema, v, depth):
        if not OBJECT_KEYWORDS & schema.keys():
            return []
        closed = schema.get("additionalProperties", True)
        if closed not in (True, False):
            raise UnsupportedSchema("additionalProperties must be true or false")
        properties = schema.get("properties", {})
        required = frozenset(schema.get("required", ()))
        lines = []
        if required:
            lines.append(f"if not {self.name('required', required)} <= {v}.keys(): return False")
        if closed is False:
            lines.append(f"if not {v}.keys() <= {self.name('allowed', frozenset(properties))}: return False")
        item = f"v{depth + 1}"
        for name, sub in properties.items():
            inner = self.statements(sub, item, depth + 1)
            if not inner:
                continue
            if name in required:
                lines += [f"{item} = {v}[{name!r}]", *inner]
            else:
                lines += [f"if {name!r} in {v}:", f"    {item} = {v}[{name!r}]"]
                lines += [f"    {line}" for line in inner]
        return lines


def _joined(lines):
    """Consecutive `if X: return False` lines as one `if X or Y: return False` (each condition
    binds tighter than `or`, and is tried only once those before it have passed): fewer lines to
    compile and run."""
    joined = []
    for line in lines:
        if (
            line.startswith("if ")
            and line.endswith(FAIL)
            and joined
            and joined[-1].startswith("if ")
            and joined[-1].endswith(FAIL)
        ):
            joined[-1] = f"{joined[-1].removesuffix(FAIL)} or {line.removeprefix('if ')}"
        else:
            joined.append(line)
    return joined
