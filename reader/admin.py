from django.contrib import admin

from reader.models import Annotation, Comparison, Document, Label, Link, Span, Speaker


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = ["title", "outlet", "published", "language", "slug"]
    search_fields = ["title", "outlet", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["text_sha256", "created"]


@admin.register(Comparison)
class ComparisonAdmin(admin.ModelAdmin):
    list_display = ["title", "left", "right", "created"]
    list_select_related = ["left", "right"]
    search_fields = ["title", "slug"]
    autocomplete_fields = ["left", "right"]


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "colour", "shortcut", "position"]
    list_editable = ["colour", "shortcut", "position"]
    search_fields = ["name"]


@admin.register(Speaker)
class SpeakerAdmin(admin.ModelAdmin):
    list_display = ["name", "aliases"]
    search_fields = ["name", "aliases"]


@admin.register(Span)
class SpanAdmin(admin.ModelAdmin):
    list_display = ["short", "document", "start", "end", "orphaned"]
    list_select_related = ["document"]
    list_filter = ["orphaned", "document"]
    search_fields = ["exact"]


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    list_display = ["span", "label", "speaker", "cue", "author", "status", "created"]
    list_select_related = ["span__document", "label", "speaker", "author"]
    list_filter = ["label", "status"]
    search_fields = ["span__exact", "note", "speaker__name"]
    autocomplete_fields = ["span", "speaker"]


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    list_display = ["source", "relation", "target", "author", "status"]
    list_select_related = ["source__document", "target__document", "author"]
    list_filter = ["relation", "status"]
    autocomplete_fields = ["source", "target"]
