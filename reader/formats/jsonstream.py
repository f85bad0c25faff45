"""Read a large JSON object of arrays one array item at a time: pure, no Django.

`items(file)` yields `(key, index, value, raw_escapes)` for each item of each top-level array
(`index` is None for a top-level value that is not an array), holding one item in memory at a
time. Each item is parsed by the standard library's C decoder (`json.JSONDecoder.raw_decode`),
so values, errors and edge cases (lone surrogates such as "\\ud800", which json.loads accepts)
are exactly those of `json.loads`. `raw_escapes` says whether the item's text holds a \\u0000 or
a surrogate escape, the only ways a NUL or a lone surrogate gets into a JSON string, so a caller
looks for them only in the few items that may hold them.

A file of at most `whole_bytes` (the caller's choice; none by default) is read at once, and each
array is decoded by one call of the C decoder rather than one per item: about half the time for a
file of a few thousand records, where the per-item steps in Python cost as much as the decoding.
An array that fails to decode, or holds an escape that may be a NUL or a lone surrogate, is read
again item by item, so what is yielded and every error are those of the item-by-item reading.

Why not ijson: with its C backend, `ijson.items` builds the items of one prefix per pass, and a
pass over a 56 MB export takes 0.8 s, so eight sections take eight passes; building the items
from `ijson.parse` events in Python takes 3.5 s. The C scanner here reads the same file in about
0.5 s, one item at a time (measured; see the README's benchmark).
"""

import codecs
import json
import re

READ_BYTES = 1 << 20
ESCAPES = re.compile(r"\\u(?:0000|[dD][89a-fA-F][0-9a-fA-F]{2})")
WHITESPACE = re.compile(r"[ \t\n\r]*")
NUMBER_TAIL = re.compile(r"[0-9+\-.eE]*")


class JSONError(ValueError):
    """The text is not JSON (or not an object); `str()` says what and where, like json.loads."""

    def __init__(self, message, line=None, column=None):
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"{message}{where}")
        self.message, self.line, self.column = message, line, column


class NotUTF8(ValueError):
    def __init__(self, byte):
        super().__init__(f"byte {byte} cannot be decoded")
        self.byte = byte


class TooLarge(ValueError):
    def __init__(self, key, index, limit):
        super().__init__(f"{key}[{index}] is larger than {limit:,} characters")
        self.key, self.index, self.limit = key, index, limit


class _Buffer:
    """Decoded text of the file with a moving window: what has been parsed is dropped."""

    def __init__(self, file, max_item_chars):
        self.file = file
        self.decoder = codecs.getincrementaldecoder("utf-8")("strict")
        self.text = ""
        self.pos = 0
        self.eof = False
        self.bytes_read = 0
        self.line = 1  # line and column of text[0]
        self.column = 1
        self.max_item_chars = max_item_chars
        self.started = False

    def fill(self, at_least=0):
        """Read more; False at the end of the file."""
        if self.eof:
            return False
        self._drop_parsed()
        data = self.file.read(max(at_least, READ_BYTES))
        start = self.bytes_read
        self.bytes_read += len(data)
        try:
            chunk = self.decoder.decode(data, final=not data)
        except UnicodeDecodeError as error:
            raise NotUTF8(start + error.start) from error
        if not self.started:
            chunk = chunk.removeprefix("\ufeff")  # a byte-order mark is not part of the JSON
            self.started = bool(chunk) or not data
        self.text += chunk
        if not data:
            self.eof = True
        return True

    def _drop_parsed(self):
        if self.pos < min(READ_BYTES, len(self.text) // 2 + 1):
            return
        dropped = self.text[: self.pos]
        newlines = dropped.count("\n")
        if newlines:
            self.line += newlines
            self.column = self.pos - dropped.rindex("\n")
        else:
            self.column += self.pos
        self.text = self.text[self.pos :]
        self.pos = 0

    def where(self, pos):
        before = self.text[:pos]
        newlines = before.count("\n")
        if newlines:
            return self.line + newlines, pos - before.rindex("\n")
        return self.line, self.column + pos

    def error(self, message, pos=None):
        return JSONError(message, *self.where(self.pos if pos is None else pos))

    def peek(self):
        """The next character that is not whitespace ('' at the end of the file)."""
        while True:
            self.pos = WHITESPACE.match(self.text, self.pos).end()
            if self.pos < len(self.text) or not self.fill():
                return self.text[self.pos : self.pos + 1]

    def expect(self, char, message):
        if self.peek() != char:
            raise self.error(message)
        self.pos += 1

    def value(self, decoder, key=None, index=None):
        """Decode the value at pos, reading more of the file while it is cut short."""
        if self.peek() == "":
            raise self.error("Expecting value")
        while True:
            # pos stays at the value's start while more is read: only text before it is dropped.
            start = self.pos
            try:
                value, end = decoder.raw_decode(self.text, start)
            except json.JSONDecodeError as error:
                if self._grow(key, index):
                    continue
                raise self.error(error.msg, error.pos) from None
            except RecursionError:
                raise self.error("it is nested too deeply", start) from None
            # A number read up to the end of the text read so far (digits, then perhaps a "." or
            # "e" that raw_decode left out) may go on in the next read.
            cut_short = type(value) in (int, float) and NUMBER_TAIL.match(self.text, end).end() == len(
                self.text
            )
            if cut_short and self._grow(key, index):
                continue
            escapes = ESCAPES.search(self.text, start, end) is not None
            self.pos = end
            return value, escapes

    def _grow(self, key, index):
        if self.eof:
            return False
        held = len(self.text) - self.pos
        if held > self.max_item_chars:
            raise TooLarge(key, index, self.max_item_chars)
        # Read at least as much again as the item so far, so a large item costs O(n), not O(n²).
        return self.fill(at_least=held)


class Items:
    """Iterate over (key, index, value, raw_escapes) of a binary file holding one JSON object;
    `bytes_read` says how far into the file it is (for progress). A file of at most
    `whole_bytes` is read at once and its arrays decoded whole (see above)."""

    def __init__(self, file, *, max_item_chars=64 * 1024 * 1024, whole_bytes=0):
        self.buffer = _Buffer(file, max_item_chars)
        self.whole_bytes = whole_bytes

    @property
    def bytes_read(self):
        return self.buffer.bytes_read

    def __iter__(self):
        buffer = self.buffer
        decoder = json.JSONDecoder()
        # Up to one byte more than a file read whole may hold: a file that fits reaches its end.
        while self.whole_bytes and not buffer.eof and buffer.bytes_read <= self.whole_bytes:
            buffer.fill(at_least=self.whole_bytes + 1 - buffer.bytes_read)
        first = buffer.peek()
        if first != "{":
            raise buffer.error("Expecting value" if first == "" else "The file is not a JSON object")
        buffer.pos += 1
        if buffer.peek() == "}":
            buffer.pos += 1
        else:
            yield from self._members(buffer, decoder)
        if buffer.peek() != "":
            raise buffer.error("Extra data")

    @staticmethod
    def _members(buffer, decoder):
        while True:
            if buffer.peek() != '"':
                raise buffer.error("Expecting property name enclosed in double quotes")
            key, _ = buffer.value(decoder)
            buffer.expect(":", "Expecting ':' delimiter")
            if buffer.peek() == "[":
                buffer.pos += 1
                if buffer.peek() == "]":
                    buffer.pos += 1
                    yield key, None, [], False
                elif (whole := Items._whole_array(buffer, decoder)) is not None:
                    for index, value in enumerate(whole):
                        yield key, index, value, False
                else:
                    index = 0
                    while True:
                        value, escapes = buffer.value(decoder, key, index)
                        yield key, index, value, escapes
                        index += 1
                        if Items._after_member(buffer, "]"):
                            break
            else:
                value, escapes = buffer.value(decoder, key)
                yield key, None, value, escapes
            if Items._after_member(buffer, "}"):
                return

    @staticmethod
    def _whole_array(buffer, decoder):
        """The items of the array whose first item is at pos, when the whole file has been
        read and they decode at once with no escape to look into; else None (and pos stays)."""
        if not buffer.eof:
            return None
        start = buffer.pos - 1  # the "["
        try:
            items, end = decoder.raw_decode(buffer.text, start)
        except (json.JSONDecodeError, RecursionError):
            return None  # read item by item, which says where the error is as it always has
        if ESCAPES.search(buffer.text, start, end) is not None:
            return None
        buffer.pos = end
        return items

    @staticmethod
    def _after_member(buffer, closing):
        """True after the closing bracket, False after a comma."""
        following = buffer.peek()
        if following == closing:
            buffer.pos += 1
            return True
        if following != ",":
            raise buffer.error("Expecting ',' delimiter")
        buffer.pos += 1
        return False
