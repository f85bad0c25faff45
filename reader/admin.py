"""The admin as a curation tool: review annotators' work, merge speakers, correct texts.

List pages fetch what their columns show in the same query (select_related, annotated counts)
and never a document's text, so each makes the same number of queries whatever its length.
Reviewing goes through `annotating.review`, which lets only curators review.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, Q
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from reader import annotating, formats
from reader import text as textlib
from reader.models import (
    Annotation,
    Attribution,
    Comparison,
    Document,
    Label,
    Link,
    Span,
    Speaker,
    Status,
    user_is_curator,
)

admin.site.site_header = "Close Reader curation"
admin.site.site_title = "Close Reader curation"
admin.site.enable_nav_sidebar = False  # the review lists need the width more


class VersionedForm(forms.ModelForm):
    """An admin form that names the version it was made from: a save from a page opened before
    someone else's save is refused with the form kept, instead of overwriting their change."""

    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["seen_version"].initial = self.instance.version

    def clean(self):
        cleaned = super().clean()
        seen = cleaned.get("seen_version")
        if self.instance.pk and seen is not None and seen != self.instance.version:
            raise forms.ValidationError(
                f"Someone else saved this {self.instance._meta.verbose_name} since you opened this page "
                f"(version {seen} → {self.instance.version}). Nothing was saved: open it again in another "
                "tab to see their change, then apply yours."
            )
        if self.instance.pk and seen is None:
            raise forms.ValidationError(
                "This form does not say which version it was made from: reload the page."
            )
        return cleaned


class VersionedAdmin(admin.ModelAdmin):
    """Edits in the admin as in the reader: the row is read locked inside the request's
    transaction (the admin wraps a save in one), checked against the version the form was made
    from, and only the fields the form changed are written, with the version bumped."""

    form = VersionedForm

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        return [*fields, "seen_version"] if obj is not None and "seen_version" not in fields else fields

    def get_object(self, request, object_id, from_field=None):
        if request.method != "POST":
            return super().get_object(request, object_id, from_field)
        # The model's own rows, not the list's queryset: a list may count (GROUP BY), and
        # PostgreSQL locks no aggregated row.
        model = self.model
        queryset = model._default_manager.select_for_update(of=("self",))
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None

    def content_changes(self, form):
        """The model fields the form changed, status aside (a review has its own columns)."""
        names = {f.name for f in self.model._meta.concrete_fields}
        return [name for name in form.changed_data if name in names and name != "status"]

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = self.content_changes(form)
        if fields:
            obj.version += 1
            obj.save(update_fields=[*fields, "version", "modified"])

    def delete_model(self, request, obj):
        annotating.deletions_record_for(type(obj).objects.filter(pk=obj.pk), user=request.user)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        annotating.deletions_record_for(queryset, user=request.user)
        super().delete_queryset(request, queryset)


class DocumentFilter(admin.SimpleListFilter):
    """Filter by document, listing titles only: the default filter would load every text."""

    title = "document"
    parameter_name = "document"
    lookup = "span__document"

    def lookups(self, request, model_admin):
        return list(Document.objects.values_list("pk", "title"))

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(**{self.lookup: self.value()})
        return queryset


class SpanDocumentFilter(DocumentFilter):
    lookup = "document"


class LinkDocumentFilter(DocumentFilter):
    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(Q(source__document=self.value()) | Q(target__document=self.value()))
        return queryset


class ReviewActions:
    """Accept, reject and reset, offered only to curators (see `has_review_permission`)."""

    actions = ["accept", "reject", "reset_to_pending"]

    def has_review_permission(self, request):
        return user_is_curator(request.user) and self.has_change_permission(request)

    def get_readonly_fields(self, request, obj=None):
        readonly = [*super().get_readonly_fields(request, obj)]
        return readonly if user_is_curator(request.user) else [*readonly, "status"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:  # a curator changed it in the form: record the review
            annotating.review(
                items=type(obj).objects.filter(pk=obj.pk), status=obj.status, reviewer=request.user
            )

    def _review(self, request, queryset, status):
        try:
            count = annotating.review(items=queryset, status=status, reviewer=request.user)
        except annotating.AnnotatingError as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        noun = self.model._meta.verbose_name if count == 1 else self.model._meta.verbose_name_plural
        self.message_user(request, f"{count} {noun} marked {status}.", messages.SUCCESS)

    @admin.action(description="Accept the selected %(verbose_name_plural)s", permissions=["review"])
    def accept(self, request, queryset):
        self._review(request, queryset, Status.ACCEPTED)

    @admin.action(description="Reject the selected %(verbose_name_plural)s", permissions=["review"])
    def reject(self, request, queryset):
        self._review(request, queryset, Status.REJECTED)

    @admin.action(description="Reset the selected %(verbose_name_plural)s to pending", permissions=["review"])
    def reset_to_pending(self, request, queryset):
        self._review(request, queryset, Status.PENDING)


def _quote(span):
    return format_html("{}{}", "⚠ orphaned: " if span.orphaned else "", span.short)


def _title(document):
    return Truncator(document.title).chars(40)


@admin.display(description="annotator", ordering="author__username")
def annotator(item):
    return item.author


# --- Annotations and links ----------------------------------------------------------------------


@admin.register(Annotation)
class AnnotationAdmin(ReviewActions, VersionedAdmin):
    list_display = [
        "quote",
        "label",
        "speaker",
        "cue",
        annotator,
        "document",
        "status",
        "reviewed_by",
        "reviewed_at",
        "created",
        "modified",
    ]
    list_display_links = ["quote"]
    list_select_related = ["span__document", "label", "speaker", "author", "reviewed_by"]
    list_filter = [
        "label",
        "status",
        ("author", admin.RelatedOnlyFieldListFilter),
        DocumentFilter,
        ("speaker", admin.RelatedOnlyFieldListFilter),
        "span__orphaned",
    ]
    search_fields = ["span__exact", "note", "cue", "speaker__name", "speaker__aliases"]
    autocomplete_fields = ["span", "speaker", "author"]
    readonly_fields = ["reviewed_by", "reviewed_at", "created", "modified"]
    fields = ["span", "label", "speaker", "cue", "note", "author", "status", *readonly_fields]

    actions = [*ReviewActions.actions, "export_native"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("span__document__text")

    @admin.action(description="Export the selected annotations as native JSON")
    def export_native(self, request, queryset):
        # The file holds what the selection needs to be imported elsewhere: its spans,
        # documents and comparisons, the links between its spans, labels and speakers.
        ids = list(queryset.order_by().values_list("pk", flat=True))
        response = StreamingHttpResponse(
            (chunk.encode("utf-8") for chunk in formats.export_chunks(annotation_ids=ids)),
            content_type="application/json",
        )
        response["Content-Disposition"] = 'attachment; filename="close-reader-selection.json"'
        return response

    @admin.display(description="quote", ordering="span__exact")
    def quote(self, annotation):
        return _quote(annotation.span)

    @admin.display(description="document", ordering="span__document__title")
    def document(self, annotation):
        return _title(annotation.span.document)


@admin.register(Attribution)
class AttributionAdmin(ReviewActions, VersionedAdmin):
    """Attributions are reviewed here like annotations; their spans are chosen in the reader,
    where the text is, so the admin shows them and edits kind, speaker and note."""

    list_display = [
        "content_quote",
        "cue_words",
        "source_words",
        "kind",
        "speaker",
        annotator,
        "origin",
        "proposal",
        "document_title",
        "status",
        "reviewed_by",
        "modified",
    ]
    list_display_links = ["content_quote"]
    list_select_related = ["content", "cue", "source", "document", "speaker", "author", "reviewed_by"]
    list_filter = [
        "kind",
        "status",
        "proposal",
        "origin",
        ("author", admin.RelatedOnlyFieldListFilter),
        SpanDocumentFilter,
        ("speaker", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = [
        "content__exact",
        "cue__exact",
        "source__exact",
        "note",
        "speaker__name",
        "speaker__aliases",
    ]
    autocomplete_fields = ["speaker"]
    readonly_fields = [
        "document_title",
        "content_quote",
        "cue_words",
        "source_words",
        "author",
        "origin",
        "proposal",
        "reviewed_by",
        "reviewed_at",
        "created",
        "modified",
    ]
    fields = ["kind", "speaker", "note", "status", *readonly_fields]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__text")

    def has_add_permission(self, request):
        return False  # an attribution is made on the text, in the reader

    @admin.display(description="content", ordering="content__exact")
    def content_quote(self, attribution):
        return _quote(attribution.content)

    @admin.display(description="cue", ordering="cue__exact")
    def cue_words(self, attribution):
        return attribution.cue.short if attribution.cue else "—"

    @admin.display(description="source", ordering="source__exact")
    def source_words(self, attribution):
        return attribution.source.short if attribution.source else "—"

    @admin.display(description="document", ordering="document__title")
    def document_title(self, attribution):
        return _title(attribution.document)


@admin.register(Link)
class LinkAdmin(ReviewActions, VersionedAdmin):
    list_display = [
        "source_quote",
        "relation",
        "target_quote",
        annotator,
        "documents",
        "status",
        "reviewed_by",
        "reviewed_at",
        "created",
        "modified",
    ]
    list_display_links = ["source_quote"]
    list_select_related = ["source__document", "target__document", "author", "reviewed_by"]
    list_filter = ["relation", "status", ("author", admin.RelatedOnlyFieldListFilter), LinkDocumentFilter]
    search_fields = ["source__exact", "target__exact", "note"]
    autocomplete_fields = ["source", "target", "author"]
    readonly_fields = ["reviewed_by", "reviewed_at", "created", "modified"]
    fields = ["source", "relation", "target", "note", "author", "status", *readonly_fields]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("source__document__text", "target__document__text")

    @admin.display(description="source", ordering="source__exact")
    def source_quote(self, link):
        return _quote(link.source)

    @admin.display(description="target", ordering="target__exact")
    def target_quote(self, link):
        return _quote(link.target)

    @admin.display(description="documents")
    def documents(self, link):
        return f"{_title(link.source.document)} → {_title(link.target.document)}"


# --- Spans: read-only, with what refers to them -------------------------------------------------


class ReadOnlyInline(admin.TabularInline):
    """A list of related rows, each linking to its own page: nothing is edited or added here."""

    extra = 0
    can_delete = False
    show_change_link = True

    def get_fields(self, request, obj=None):
        return self.readonly_fields

    def has_add_permission(self, request, obj=None):
        return False


class SpanAnnotationInline(ReadOnlyInline):
    model = Annotation
    verbose_name_plural = "annotations of this span"
    readonly_fields = ["label", "author", "speaker", "cue", "note", "status", "reviewed_by", "reviewed_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("label", "author", "speaker", "reviewed_by")


class SpanLinkInline(ReadOnlyInline):
    model = Link
    readonly_fields = ["relation", "other_end", "author", "note", "status"]
    other = "target"

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related(f"{self.other}__document", "author")
            .defer(f"{self.other}__document__text")
        )

    @admin.display(description="other end")
    def other_end(self, link):
        span = getattr(link, self.other)
        return f"{span.short} ({span.document.title})"


class LinksOutInline(SpanLinkInline):
    fk_name = "source"
    verbose_name_plural = "links from this span"


class LinksInInline(SpanLinkInline):
    fk_name = "target"
    other = "source"
    verbose_name_plural = "links to this span"


@admin.register(Span)
class SpanAdmin(admin.ModelAdmin):
    list_display = ["quote", "document", "start", "end", "orphaned", "annotation_count", "created"]
    list_display_links = ["quote"]
    list_select_related = ["document"]
    list_filter = ["orphaned", SpanDocumentFilter]
    search_fields = ["exact", "prefix", "suffix"]
    # Offsets change only through the reader (checked against the text) or a text edit.
    readonly_fields = [
        "document",
        "start",
        "end",
        "exact",
        "prefix",
        "suffix",
        "orphaned",
        "created_by",
        "created",
    ]
    inlines = [SpanAnnotationInline, LinksOutInline, LinksInInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("document__text")
            .annotate(annotation_count=Count("annotations"))
        )

    def has_add_permission(self, request):
        return False

    @admin.display(description="quote (as it was, if orphaned)", ordering="exact")
    def quote(self, span):
        return _quote(span)

    @admin.display(description="annotations", ordering="annotation_count")
    def annotation_count(self, span):
        return span.annotation_count


# --- Speakers: every mention, and merging --------------------------------------------------------


class SpeakerAnnotationInline(ReadOnlyInline):
    model = Annotation
    verbose_name_plural = "mentions and quotes"
    readonly_fields = ["quote", "label", "cue", "document", "author", "status"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("span__document", "label", "author")
            .defer("span__document__text")
            .order_by("span__document__title", "span__start")
        )

    @admin.display(description="quote")
    def quote(self, annotation):
        return annotation.span.exact

    @admin.display(description="document")
    def document(self, annotation):
        return annotation.span.document.title


@admin.register(Speaker)
class SpeakerAdmin(VersionedAdmin):
    list_display = ["name", "aliases", "mentions", "created"]
    search_fields = ["name", "aliases"]
    inlines = [SpeakerAnnotationInline]
    actions = ["merge"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(mentions=Count("annotations"))

    @admin.display(description="mentions and quotes", ordering="mentions")
    def mentions(self, speaker):
        return speaker.mentions

    @admin.action(description="Merge the selected speakers into one", permissions=["change", "delete"])
    def merge(self, request, queryset):
        speakers = list(queryset.order_by("-mentions", "name"))
        if len(speakers) < 2:
            self.message_user(request, "Select two or more speakers to merge.", messages.WARNING)
            return None
        if request.POST.get("post") == "yes":
            keep = next((s for s in speakers if str(s.pk) == request.POST.get("keep")), None)
            if keep is None:
                self.message_user(request, "Choose the speaker to keep.", messages.ERROR)
            else:
                others = [s for s in speakers if s.pk != keep.pk]
                moved = annotating.speakers_merge(keep=keep, others=others, user=request.user)
                self.message_user(
                    request,
                    f"Merged {', '.join(s.name for s in others)} into {keep.name}: "
                    f"{moved} annotation{'' if moved == 1 else 's'} moved.",
                    messages.SUCCESS,
                )
                return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Merge speakers",
            "opts": self.model._meta,
            "speakers": speakers,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/reader/speaker/merge.html", context)


# --- Documents: editing the text re-anchors its spans --------------------------------------------


class DocumentTextField(forms.CharField):
    """The text as stored: newlines as \\n (a browser sends \\r\\n), nothing stripped."""

    def __init__(self, **kwargs):
        super().__init__(strip=False, widget=forms.Textarea(attrs={"rows": 30}), **kwargs)

    def to_python(self, value):
        return textlib.normalise_newlines(super().to_python(value))


class DocumentForm(VersionedForm):
    text = DocumentTextField(
        help_text="Saving a changed text re-anchors every highlight on it from its quote and context; "
        "highlights that cannot be found are marked orphaned, never moved or deleted."
    )

    class Meta:
        model = Document
        fields = ["text"]  # the admin adds the others, each with its admin widget

    def clean_text(self):
        text = self.cleaned_data["text"]
        if not text.strip():
            raise forms.ValidationError("The text cannot be empty.")
        if "\x00" in text:
            raise forms.ValidationError("The text holds NUL characters: is it UTF-16?")
        return text


@admin.register(Document)
class DocumentAdmin(VersionedAdmin):
    form = DocumentForm
    # As the reader's article form does; Django 6 makes https the default anyway.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fields = [
        "title",
        "slug",
        "outlet",
        "published",
        "published_note",
        "url",
        "language",
        "text",
        "text_sha256",
        "created",
    ]
    list_display = ["title", "outlet", "published", "language", "slug", "span_count", "orphans"]
    search_fields = ["title", "outlet", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["text_sha256", "created"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .defer("text")  # loaded on the change page when the form reads it
            .annotate(
                span_count=Count("spans"),
                orphan_count=Count("spans", filter=Q(spans__orphaned=True)),
            )
        )

    @admin.display(description="spans", ordering="span_count")
    def span_count(self, document):
        return document.span_count

    @admin.display(description="orphaned spans", ordering="orphan_count")
    def orphans(self, document):
        if not document.orphan_count:
            return 0
        url = reverse("admin:reader_span_changelist") + f"?orphaned__exact=1&document={document.pk}"
        return format_html('<a href="{}">{}</a>', url, document.orphan_count)

    def save_model(self, request, obj, form, change):
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = self.content_changes(form)
        if not fields:
            return
        # The row is locked and its version checked (VersionedAdmin); a new text re-anchors every
        # span in this same transaction, so no write that checks offsets can slip in between.
        result = annotating.document_edit(
            document=obj, version=None, changes={name: getattr(obj, name) for name in fields}
        )
        if result is not None:
            level = messages.WARNING if result.orphaned else messages.SUCCESS
            self.message_user(request, f"The text changed: {result}", level)


@admin.register(Comparison)
class ComparisonAdmin(VersionedAdmin):
    list_display = ["title", "left", "right", "created_by", "created", "agreement"]
    list_select_related = ["left", "right", "created_by"]
    search_fields = ["title", "slug"]
    autocomplete_fields = ["left", "right", "created_by"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("left__text", "right__text")

    @admin.display(description="agreement")
    def agreement(self, comparison):
        return format_html(
            '<a href="{}">between annotators</a>', reverse("comparison_agreement", args=[comparison.slug])
        )


@admin.register(Label)
class LabelAdmin(VersionedAdmin):
    list_display = ["name", "kind", "colour", "shortcut", "position", "uses"]
    # No list_editable: a list's form cannot name the version of each row, so it could
    # overwrite a colleague's change unseen; labels are edited on their own pages.
    search_fields = ["name"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(uses=Count("annotations"))

    @admin.display(description="annotations", ordering="uses")
    def uses(self, label):
        return label.uses
