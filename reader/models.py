from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Length, Lower, Substr
from django.db.models.lookups import Exact, In
from django.urls import reverse

from reader import text as textlib

CURATOR_GROUP = "curator"


def is_hex_colour(field):
    """#rrggbb, checked character by character: a colour goes into CSS unescaped, and a
    regex check would need a Python function inside SQLite."""
    return (
        Q(**{f"{field}__startswith": "#"})
        & Exact(Length(field), 7)
        & Q(*[In(Substr(Lower(field), i, 1), list("0123456789abcdef")) for i in range(2, 8)])
    )


def user_is_curator(user) -> bool:
    """Curators review and change anyone's work: superusers, and members of the curator group.

    Staff status alone is not enough: it only opens the admin, where a staff member may have been
    given other duties (adding labels, say) without the right to review.
    """
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    groups = getattr(user, "_curator_groups", None)
    if groups is None:
        groups = user._curator_groups = user.groups.filter(name=CURATOR_GROUP).exists()
    return groups


class Versioned(models.Model):
    """A row people edit: every edit bumps `version`, and a form made from an older version
    is refused (409) instead of overwriting what changed since; `modified` dates the edit."""

    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Bumped by every edit; a form from an older version is refused."
    )
    modified = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


class Status(models.TextChoices):
    PENDING = "pending", "pending"
    ACCEPTED = "accepted", "accepted"
    REJECTED = "rejected", "rejected"


class Relation(models.TextChoices):
    """How a span relates to its counterpart in the other article: the one vocabulary."""

    COUNTERPART = "counterpart", "counterpart (same fact or quote)"
    PARAPHRASE = "paraphrase", "paraphrase"
    CONTRADICTS = "contradicts", "contradicts"
    ELABORATES = "elaborates", "elaborates"


class Document(Versioned):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    outlet = models.CharField(max_length=300, blank=True)
    published = models.DateField(null=True, blank=True)
    published_note = models.CharField(
        max_length=300, blank=True, help_text="How the date is known, e.g. 'inferred from the text'."
    )
    url = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=20, default="en")
    text = models.TextField(help_text="The canonical plain text; span offsets count its code points.")
    text_sha256 = models.CharField(max_length=64, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="document_text_not_empty"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.text_sha256 = textlib.sha256(self.text)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("document_detail", args=[self.slug])


class Comparison(Versioned):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    left = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(condition=~Q(left=F("right")), name="comparison_two_documents"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("comparison_detail", args=[self.slug])

    @property
    def documents(self):
        return [self.left, self.right]

    def other(self, document):
        """The other article of the pair, or None when `document` is not in it."""
        if document.pk == self.left_id:
            return self.right
        if document.pk == self.right_id:
            return self.left
        return None


class Label(Versioned):
    class Kind(models.TextChoices):
        QUOTE = "quote", "quote (words attributed to a speaker)"
        SPEAKER = "speaker", "speaker mention (names a person or body)"
        CLAIM = "claim", "claim (a statement of fact)"
        OTHER = "other", "other"

    name = models.CharField(max_length=60, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    colour = models.CharField(
        max_length=7,
        default="#999999",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", "Give a colour as #rrggbb.")],
    )
    shortcut = models.CharField(
        max_length=1, blank=True, help_text="One key that applies this label to the selection."
    )
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]
        constraints = [
            models.CheckConstraint(
                condition=is_hex_colour("colour"),
                name="label_colour_hex",
            ),
            models.UniqueConstraint(
                fields=["shortcut"], condition=~Q(shortcut=""), name="label_shortcut_unique"
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.shortcut = self.shortcut.lower()
        super().save(*args, **kwargs)

    @property
    def marker(self):
        """A letter shown on the highlight, so labels differ by more than colour."""
        return (self.shortcut or self.name[:1]).upper()

    @property
    def attributable(self):
        return self.kind in (self.Kind.QUOTE, self.Kind.CLAIM)


class SpeakerQuerySet(models.QuerySet):
    def matching(self, name):
        """Speakers whose name or one of whose aliases is `name`, ignoring case."""
        name = " ".join(name.split())
        return [s for s in self if name.casefold() in {n.casefold() for n in s.names}]


class Speaker(Versioned):
    name = models.CharField(max_length=200, unique=True)
    aliases = models.TextField(blank=True, help_text="Other names, one per line.")
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="speaker_name_not_empty"),
        ]

    def __str__(self):
        return self.name

    @property
    def alias_list(self):
        return [line.strip() for line in self.aliases.splitlines() if line.strip()]

    @property
    def names(self):
        return [self.name, *self.alias_list]


class Span(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="spans")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    exact = models.TextField()
    prefix = models.CharField(max_length=textlib.CONTEXT_CHARS, blank=True)
    suffix = models.CharField(max_length=textlib.CONTEXT_CHARS, blank=True)
    orphaned = models.BooleanField(
        default=False, help_text="Set when the quote could not be found after a text edit."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "start", "-end"]
        constraints = [
            models.CheckConstraint(condition=Q(start__gte=0), name="span_start_not_negative"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="span_not_empty"),
            models.CheckConstraint(condition=~Q(exact=""), name="span_exact_not_empty"),
            models.UniqueConstraint(fields=["document", "start", "end"], name="span_unique_offsets"),
        ]

    def __str__(self):
        return f"“{self.short}” ({self.document.slug} {self.start}–{self.end})"

    @property
    def short(self):
        return self.exact if len(self.exact) <= 60 else self.exact[:57] + "…"


class AnnotationQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("span", "label", "author", "speaker", "reviewed_by")

    def for_documents(self, documents):
        return (
            self.filter(span__document__in=documents)
            .select_related("span", "label", "author", "speaker")
            .order_by("span__document", "span__start", "-span__end", "label__position", "id")
        )

    def for_comparison(self, comparison):
        return self.for_documents([comparison.left_id, comparison.right_id])


class Annotation(Versioned):
    span = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="annotations")
    label = models.ForeignKey(Label, on_delete=models.PROTECT, related_name="annotations")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="annotations")
    speaker = models.ForeignKey(
        Speaker,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="annotations",
        help_text="For a speaker mention: who it names. For a quote or claim: who it is attributed to.",
    )
    cue = models.CharField(
        max_length=100, blank=True, help_text="The reporting words as written: said, alleged, tweeted…"
    )
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_version = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The version the reviewer saw when they decided."
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["span__document", "span__start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["span", "label", "author"], name="annotation_unique_per_author"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="annotation_status_known"),
        ]

    def __str__(self):
        return f"{self.label} {self.span}"

    def get_absolute_url(self):
        return reverse("annotation_detail", args=[self.pk])

    def can_change(self, user):
        return user.is_authenticated and (self.author_id == user.pk or user_is_curator(user))

    @property
    def edited_since_review(self):
        """Reviews and edits touch different columns, so an edit made after an accept survives
        it; the curator is shown that what they accepted has changed since."""
        return self.reviewed_version is not None and self.version > self.reviewed_version


class LinkQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("source__document", "target__document", "author", "reviewed_by")

    def for_documents(self, documents):
        """Links with either end in one of the documents, in reading order of their source."""
        return (
            self.filter(Q(source__document__in=documents) | Q(target__document__in=documents))
            .with_related()
            .order_by("source__document", "source__start", "id")
        )

    def for_comparison(self, comparison):
        return self.for_documents([comparison.left_id, comparison.right_id])

    def touching(self, span_ids):
        return self.filter(Q(source__in=span_ids) | Q(target__in=span_ids))


class Link(Versioned):
    source = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="links_in")
    relation = models.CharField(max_length=20, choices=Relation.choices, default=Relation.COUNTERPART)
    note = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="links")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_version = models.PositiveIntegerField(
        null=True, blank=True, editable=False, help_text="The version the reviewer saw when they decided."
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = LinkQuerySet.as_manager()

    class Meta:
        ordering = ["source__document", "source__start", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(source=F("target")), name="link_not_to_itself"),
            models.UniqueConstraint(fields=["source", "target", "relation"], name="link_unique_relation"),
            models.CheckConstraint(condition=Q(relation__in=Relation.values), name="link_relation_known"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="link_status_known"),
        ]

    def __str__(self):
        return f"{self.source} —{self.relation}→ {self.target}"

    def get_absolute_url(self):
        return reverse("link_detail", args=[self.pk])

    def can_change(self, user):
        return user.is_authenticated and (self.author_id == user.pk or user_is_curator(user))

    @property
    def edited_since_review(self):
        """Reviews and edits touch different columns, so an edit made after an accept survives
        it; the curator is shown that what they accepted has changed since."""
        return self.reviewed_version is not None and self.version > self.reviewed_version

    def other_end(self, span_id):
        return self.target if self.source_id == span_id else self.source


def span_natural_key(*, document_slug, start, end) -> str:
    """How exports and imports name a span: by its document and offsets, never its id."""
    return f"{document_slug}:{start}-{end}"


class Deletion(models.Model):
    """What was deleted, by the natural key an export names it with, so that importing an older
    file does not silently bring it back: the importer reports it as a conflict instead."""

    class Kind(models.TextChoices):
        DOCUMENT = "document"
        SPEAKER = "speaker"
        ANNOTATION = "annotation"
        LINK = "link"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.TextField()
    deleted = models.DateTimeField()
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="deletion_unique_key"),
            models.CheckConstraint(
                condition=Q(kind__in=["document", "speaker", "annotation", "link"]),
                name="deletion_kind_known",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.key} deleted {self.deleted:%Y-%m-%d %H:%M}"

    @staticmethod
    def annotation_key(*, span_key, label, author) -> str:
        return f"{span_key}|{label}|{author}"

    @staticmethod
    def link_key(*, source, target, relation) -> str:
        return f"{source}|{target}|{relation}"


class AgreementSample(models.Model):
    """A stretch of one article that a curator marked for measuring agreement on a comparison.

    When a comparison has a sample, agreement counts only what lies in it, for every pair of
    annotators, instead of the passages each pair both worked on."""

    comparison = models.ForeignKey(Comparison, on_delete=models.CASCADE, related_name="agreement_sample")
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="+")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["comparison", "document", "start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="agreement_sample_not_empty"),
            models.UniqueConstraint(
                fields=["comparison", "document", "start", "end"], name="agreement_sample_unique"
            ),
        ]

    def __str__(self):
        return f"{self.comparison.slug}: {self.document_id} {self.start}–{self.end}"
