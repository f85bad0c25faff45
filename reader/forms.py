from django import forms
from django.conf import settings

from reader import text as textlib
from reader.models import Document, Label, Relation, Span


class ArticleForm(forms.Form):
    """One side of a new comparison: the article's text, pasted or uploaded, and its details."""

    title = forms.CharField(max_length=300)
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
        }


class SelectionForm(forms.Form):
    """What the browser sends for a new annotation: where, what it saw, which label."""

    document = forms.ModelChoiceField(
        queryset=Document.objects.all(),
        error_messages={"invalid_choice": "There is no such document (it may have been deleted)."},
    )
    start = forms.IntegerField()
    end = forms.IntegerField()
    exact = forms.CharField(strip=False, max_length=settings.MAX_DOCUMENT_BYTES)
    label = forms.ModelChoiceField(
        queryset=Label.objects.all(),
        error_messages={"invalid_choice": "There is no such label."},
    )


class AnnotationForm(forms.Form):
    label = forms.ModelChoiceField(
        queryset=Label.objects.all(),
        empty_label=None,
        error_messages={"invalid_choice": "There is no such label."},
    )
    speaker_name = forms.CharField(max_length=200, required=False, label="Speaker")
    cue = forms.CharField(max_length=100, required=False)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LinkEditForm(forms.Form):
    relation = forms.ChoiceField(choices=Relation.choices)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class LinkForm(LinkEditForm):
    """A new link: from a span to an existing highlight (`target`), or to text selected
    in the other article (`target_document` and the selection), or to a suggested sentence."""

    source = forms.ModelChoiceField(
        queryset=Span.objects.all(),
        error_messages={"invalid_choice": "The highlight to link from no longer exists; reload the page."},
    )
    target = forms.ModelChoiceField(
        queryset=Span.objects.all(),
        required=False,
        error_messages={"invalid_choice": "The counterpart highlight no longer exists; reload the page."},
    )
    target_document = forms.ModelChoiceField(
        queryset=Document.objects.all(),
        required=False,
        error_messages={"invalid_choice": "There is no such document (it may have been deleted)."},
    )
    target_start = forms.IntegerField(required=False)
    target_end = forms.IntegerField(required=False)
    target_exact = forms.CharField(strip=False, required=False, max_length=settings.MAX_DOCUMENT_BYTES)
    suggestion = forms.RegexField(regex=r"^\d+-\d+$", required=False)
    label = forms.ModelChoiceField(
        queryset=Label.objects.all(),
        required=False,
        error_messages={"invalid_choice": "There is no such label."},
    )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        document = data.get("target_document")
        if document and data.get("suggestion"):
            # A suggested sentence: its offsets come from the server's own text.
            start, end = map(int, data["suggestion"].split("-"))
            data.update(
                target=None, target_start=start, target_end=end, target_exact=document.text[start:end]
            )
        if data.get("target"):
            return data
        if document is None or data.get("target_start") is None or data.get("target_end") is None:
            raise forms.ValidationError(
                "Pick the counterpart: a highlight or some text in the other article, or a suggestion."
            )
        return data


def form_errors(form) -> str:
    """All of a form's errors as one sentence per field, for a 400 message."""
    parts = []
    for name, errors in form.errors.items():
        prefix = "" if name == "__all__" else f"{form.fields[name].label or name.replace('_', ' ')}: "
        parts.append(prefix + " ".join(errors))
    return " ".join(parts)
