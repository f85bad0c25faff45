from django import forms
from django.conf import settings

from reader import text as textlib
from reader.models import Label, Relation, Status

MAX_NOTE_CHARS = 20_000  # a note is a comment, not an article


class ArticleForm(forms.Form):
    """One side of a new comparison: the article's text, pasted or uploaded, and its details."""

    title = forms.CharField(max_length=300, required=False)
    first_line_is_title = forms.BooleanField(
        required=False,
        label="The first line is the headline: take it as the title, and out of the text",
    )
    outlet = forms.CharField(max_length=300, required=False)
    published = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    url = forms.URLField(label="URL", max_length=1000, required=False, assume_scheme="https")
    text = forms.CharField(
        required=False, strip=False, widget=forms.Textarea(attrs={"rows": 8}), label="Paste the text"
    )
    file = forms.FileField(required=False, label="…or upload a .txt file (UTF-8)")

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if upload.size > settings.MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(self._too_long())
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError(
                f"“{upload.name}” is not UTF-8 text (byte {error.start} cannot be read). "
                "Save it as UTF-8 and upload it again."
            ) from error

    def clean(self):
        cleaned = super().clean()
        pasted, uploaded = cleaned.get("text") or "", cleaned.get("file")
        if self.errors.get("file"):
            return cleaned
        if pasted.strip() and uploaded is not None:
            raise forms.ValidationError("Paste the text or upload a file, not both.")
        body = uploaded if uploaded is not None else pasted
        # A byte-order mark is an encoding artefact, not part of the text.
        body = textlib.normalise_newlines(body.removeprefix("\ufeff"))
        if "\x00" in body:
            raise forms.ValidationError(
                "The text holds NUL characters: it is probably UTF-16. Save it as UTF-8 and try again."
            )
        if not body.strip():
            raise forms.ValidationError("The article is empty: paste its text or upload a .txt file.")
        if len(body.encode("utf-8")) > settings.MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(self._too_long())
        if cleaned.get("first_line_is_title"):
            headline, _, rest = body.lstrip().partition("\n")
            if not rest.strip():
                raise forms.ValidationError(
                    "The text has nothing after its first line to keep as the article."
                )
            cleaned["title"] = cleaned.get("title") or headline.strip()[:300]
            body = rest.lstrip("\n")
        if not cleaned.get("title"):
            self.add_error(
                "title",
                "Give the article a title, or tick “The first line is the headline” to take it from the text.",  # noqa: E501
            )
        cleaned["text"] = body
        return cleaned

    def _too_long(self):
        return f"The article is over {settings.MAX_DOCUMENT_BYTES // (1024 * 1024)} MB; split it first."

    def document_fields(self):
        data = self.cleaned_data
        return {
            "title": data["title"],
            "outlet": data["outlet"],
            "published": data["published"],
            "url": data["url"],
            "text": data["text"],
            # Markdown-style "## " lines show as subheadings (their marker kept in the text).
            "headings": textlib.heading_lines(data["text"]),
        }


# Ids and offsets are bounded here: an unbounded number reaches the database as an overflow
# (SQLite's integers are 64-bit), not as a clear message.
MAX_ID = 2**63 - 1
MAX_OFFSET = 2**31 - 1


def id_field(what, **kwargs):
    return forms.IntegerField(
        min_value=1,
        max_value=MAX_ID,
        error_messages={
            "invalid": f"Give the {what} as a whole number.",
            "min_value": f"There is no such {what}.",
            "max_value": f"There is no such {what}.",
        },
        **kwargs,
    )


def offset_field(**kwargs):
    return forms.IntegerField(
        min_value=0,
        max_value=MAX_OFFSET,
        error_messages={
            "invalid": "Offsets are whole numbers.",
            "min_value": "An offset cannot be negative: that lies outside the text.",
            "max_value": "This offset lies outside the text of any article.",
        },
        **kwargs,
    )


def version_field(**kwargs):
    return forms.IntegerField(
        min_value=1,
        max_value=MAX_OFFSET,
        widget=forms.HiddenInput,
        error_messages={
            "required": "The form does not say which version it was made from: reload the page.",
            "invalid": "The form's version is not a number: reload the page.",
        },
        **kwargs,
    )


class SelectionForm(forms.Form):
    """What the browser sends for a new annotation: where, what it saw, which label.

    The document is an id, not a loaded row: its text is read inside the write's transaction,
    locked, since checking offsets against a copy loaded before is what let a text edit slip in
    between. `text_sha256` names the text the page showed."""

    document = id_field("article")
    start = offset_field()
    end = offset_field()
    exact = forms.CharField(strip=False, max_length=settings.MAX_DOCUMENT_BYTES)
    label = id_field("label")
    text_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", required=False)

    def __init__(self, *args, labels, **kwargs):
        # Every label, by id: the page re-rendered after the write needs them all anyway, so
        # one query serves both.
        self.labels = labels
        super().__init__(*args, **kwargs)

    def clean_label(self):
        label = self.labels.get(self.cleaned_data["label"])
        if label is None:
            raise forms.ValidationError("There is no such label.")
        return label


class AnnotationForm(forms.Form):
    label = forms.ModelChoiceField(
        queryset=Label.objects.all(),
        empty_label=None,
        error_messages={"invalid_choice": "There is no such label."},
    )
    speaker_name = forms.CharField(max_length=200, required=False, label="Speaker")
    cue = forms.CharField(max_length=100, required=False)
    note = forms.CharField(
        required=False, max_length=MAX_NOTE_CHARS, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = version_field()
    # What the form showed, so a refusal can say what changed meanwhile and re-apply only
    # what this person changed.
    was_label = forms.CharField(required=False, max_length=200)
    was_speaker_name = forms.CharField(required=False, max_length=200)
    was_cue = forms.CharField(required=False, max_length=100)
    was_note = forms.CharField(required=False, max_length=MAX_NOTE_CHARS)

    def seen(self):
        return seen_values(self, ("label", "speaker_name", "cue", "note"))

    def changes(self):
        """The fields this person changed from what their form showed."""
        data, seen = self.cleaned_data, self.seen()
        mine = {
            "label": data["label"].name,
            "speaker_name": data["speaker_name"],
            "cue": data["cue"],
            "note": data["note"],
        }
        return {name: value for name, value in mine.items() if seen.get(name) is None or value != seen[name]}


def seen_values(form, names):
    # A field the form did not send (an old page, a script) is unknown, not empty.
    return {name: form.cleaned_data[f"was_{name}"] if f"was_{name}" in form.data else None for name in names}


class LinkEditForm(forms.Form):
    relation = forms.ChoiceField(choices=Relation.choices)
    note = forms.CharField(
        required=False, max_length=MAX_NOTE_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )


class LinkChangeForm(LinkEditForm):
    version = version_field()
    was_relation = forms.CharField(required=False, max_length=20)
    was_note = forms.CharField(required=False, max_length=MAX_NOTE_CHARS)

    def seen(self):
        return seen_values(self, ("relation", "note"))

    def changes(self):
        data, seen = self.cleaned_data, self.seen()
        mine = {"relation": data["relation"], "note": data["note"]}
        return {name: value for name, value in mine.items() if seen.get(name) is None or value != seen[name]}


class DeleteForm(forms.Form):
    """A delete names the version it was asked from (optional for scripts)."""

    version = version_field(required=False)


class ReviewForm(forms.Form):
    status = forms.ChoiceField(
        choices=Status.choices,
        error_messages={"invalid_choice": "Unknown status: choose accepted, rejected or pending."},
    )


class LinkForm(LinkEditForm):
    """A new link: from a span to an existing highlight (`target`), or to text selected
    in the other article (`target_document` and the selection), or to a suggested sentence."""

    source = id_field("highlight to link from")
    target = id_field("counterpart highlight", required=False)
    target_document = id_field("article", required=False)
    target_start = offset_field(required=False)
    target_end = offset_field(required=False)
    target_exact = forms.CharField(strip=False, required=False, max_length=settings.MAX_DOCUMENT_BYTES)
    target_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", required=False)
    suggestion = forms.RegexField(regex=r"^[0-9]{1,10}-[0-9]{1,10}$", required=False)
    label = forms.ModelChoiceField(
        queryset=Label.objects.all(),
        required=False,
        error_messages={"invalid_choice": "There is no such label."},
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("suggestion") and not data.get("target"):
            # A suggested sentence: its words are read from the text when the link is written.
            if data.get("target_document") is None:
                raise forms.ValidationError("A suggestion needs the article it comes from.")
            start, end = map(int, data["suggestion"].split("-"))
            data.update(target_start=start, target_end=end, target_exact=None)
        if data.get("target"):
            return data
        if (
            data.get("target_document") is None
            or data.get("target_start") is None
            or data.get("target_end") is None
        ):
            raise forms.ValidationError(
                "Pick the counterpart: a highlight or some text in the other article, or a suggestion."
            )
        if data.get("target_exact") is None and not data.get("suggestion"):
            raise forms.ValidationError("Say which words you selected (the selection's text is missing).")
        return data


class SidebarForm(forms.Form):
    """The sidebar's filters and page, as the query string gives them."""

    label = id_field("label", required=False)
    speaker = id_field("speaker", required=False)
    author = forms.CharField(required=False, max_length=150)
    status = forms.ChoiceField(choices=[("", "all"), *Status.choices], required=False)
    relation = forms.ChoiceField(choices=[("", "all"), *Relation.choices], required=False)
    page = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100_000,
        error_messages={
            "invalid": "The page is a whole number.",
            "min_value": "Pages start at 1.",
            "max_value": "There is no such page.",
        },
    )


def form_errors(form) -> str:
    """All of a form's errors as one sentence per field, for a 400 message."""
    parts = []
    for name, errors in form.errors.items():
        prefix = "" if name == "__all__" else f"{form.fields[name].label or name.replace('_', ' ')}: "
        parts.append(prefix + " ".join(errors))
    return " ".join(parts)


class PieceFields:
    """Three fields per part of a selection: `{role}_start`, `{role}_end`, `{role}_exact`."""

    @staticmethod
    def add(form_class, role, required=False):
        form_class.base_fields[f"{role}_start"] = offset_field(required=required)
        form_class.base_fields[f"{role}_end"] = offset_field(required=required)
        form_class.base_fields[f"{role}_exact"] = forms.CharField(
            strip=False, required=required, max_length=settings.MAX_DOCUMENT_BYTES
        )


def piece_of(data, role):
    """The selection a form gives for `role`, or None when it gives none."""
    start, end = data.get(f"{role}_start"), data.get(f"{role}_end")
    if start is None or end is None:
        return None
    from reader.attributing import Piece

    return Piece(start, end, data.get(f"{role}_exact") or None)


ATTRIBUTION_KINDS = [("direct", "direct"), ("indirect", "indirect"), ("mixed", "mixed")]


class AttributionForm(forms.Form):
    """A new attribution: its content an existing highlight (`content`) or a selection, and, as
    selected, its cue and source, all in one document."""

    document = id_field("article")
    content = id_field("highlight", required=False)
    kind = forms.ChoiceField(choices=[("", "read it from the words"), *ATTRIBUTION_KINDS], required=False)
    speaker_name = forms.CharField(max_length=200, required=False)
    note = forms.CharField(required=False, max_length=MAX_NOTE_CHARS)
    text_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("content") is None and piece_of(data, "content") is None:
            raise forms.ValidationError("Say which words are attributed: a highlight or a selection.")
        return data


for _role in ("content", "cue", "source"):
    PieceFields.add(AttributionForm, _role)


class AttributionChangeForm(forms.Form):
    kind = forms.ChoiceField(choices=ATTRIBUTION_KINDS)
    speaker_name = forms.CharField(max_length=200, required=False)
    note = forms.CharField(required=False, max_length=MAX_NOTE_CHARS)
    version = version_field()
    was_kind = forms.CharField(required=False, max_length=10)
    was_speaker_name = forms.CharField(required=False, max_length=200)
    was_note = forms.CharField(required=False, max_length=MAX_NOTE_CHARS)

    def seen(self):
        return seen_values(self, ("kind", "speaker_name", "note"))

    def changes(self):
        data, seen = self.cleaned_data, self.seen()
        mine = {name: data[name] for name in ("kind", "speaker_name", "note")}
        return {name: value for name, value in mine.items() if seen.get(name) is None or value != seen[name]}


class AttributionPartForm(forms.Form):
    """Set a part (cue, source, content) to a selection, add a piece of content, or clear a part
    (`clear`), or remove a piece (`remove`: the span's id)."""

    role = forms.ChoiceField(
        choices=[("content", "content"), ("cue", "cue"), ("source", "source"), ("more", "another piece")]
    )
    clear = forms.BooleanField(required=False)
    remove = id_field("piece", required=False)
    version = version_field()
    text_sha256 = forms.RegexField(regex=r"^[0-9a-f]{64}$", required=False)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("clear") and data.get("remove") is None and piece_of(data, "part") is None:
            raise forms.ValidationError("Select the words for this part first.")
        return data


PieceFields.add(AttributionPartForm, "part")


class DecisionForm(forms.Form):
    """Take or decline proposals: those named, or all of a document (within a stretch of it)."""

    decision = forms.ChoiceField(
        choices=[("take", "take"), ("decline", "decline")],
        error_messages={"invalid_choice": "Decide with take or decline."},
    )
    attribution = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])
    document = id_field("article", required=False)
    within_start = offset_field(required=False)
    within_end = offset_field(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        values = self.data.getlist("attribution") if hasattr(self.data, "getlist") else []
        self.fields["attribution"].choices = [
            (v, v) for v in values if v.isascii() and v.isdecimal() and len(v) < 19
        ]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("attribution") and data.get("document") is None:
            raise forms.ValidationError("Say which proposals: name them, or their article.")
        return data


class ReportForm(forms.Form):
    """What a report (and its JSON) is limited to: accepted work only, one annotator's."""

    status = forms.ChoiceField(
        choices=[("", "all work"), ("accepted", "accepted work only")],
        required=False,
        error_messages={
            "invalid_choice": "A report is of all work, or of accepted work only (status=accepted)."
        },
    )
    annotator = forms.CharField(max_length=150, required=False)
