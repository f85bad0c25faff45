from django.conf import settings
from django.core.validators import RegexValidator
from django.db import connection, models, transaction
from django.db.models import Case, F, Q, Value, When
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
    outlet = models.CharField(max_length=300, blank=True, help_text="The outlet's name only.")
    outlet_note = models.CharField(
        max_length=300,
        blank=True,
        help_text="How the outlet is known, e.g. 'inferred from the closing line'.",
    )
    published = models.DateField(null=True, blank=True)
    published_note = models.CharField(
        max_length=300, blank=True, help_text="How the date is known, e.g. 'inferred from the text'."
    )
    url = models.URLField(max_length=1000, blank=True)
    language = models.CharField(max_length=20, default="en")
    text = models.TextField(help_text="The canonical plain text; span offsets count its code points.")
    text_sha256 = models.CharField(max_length=64, editable=False)
    headings = models.JSONField(
        default=list,
        blank=True,
        help_text="[start, end] of each heading line in the text: shown as a heading, never suggested.",
    )
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
        # A long new text gets its suggestion index once the save commits, so the first suggestion
        # on it is quick (reader.indexes); a save of other fields finds the index current. A short
        # one is indexed by its first suggestion, in a few milliseconds.
        from django.db import transaction

        from reader import indexes

        if len(self.text) >= indexes.ahead_above():
            transaction.on_commit(lambda pk=self.pk: indexes.ensure(pk))

    def get_absolute_url(self):
        return reverse("document_detail", args=[self.slug])

    @property
    def heading_ranges(self):
        """The headings as (start, end) pairs within the text; anything malformed is ignored."""
        ranges = []
        for item in self.headings or []:
            if isinstance(item, list | tuple) and len(item) == 2 and all(isinstance(n, int) for n in item):
                start, end = item
                if 0 <= start < end <= len(self.text):
                    ranges.append((start, end))
        return ranges


class ComparisonQuerySet(models.QuerySet):
    def with_articles(self):
        """With both articles, without their texts (2 MB each when long): a page that needs one
        takes it by its digest from the process's cache (annotating.with_committed_text)."""
        return self.select_related("left", "right").defer("left__text", "right__text")


class Comparison(Versioned):
    slug = models.SlugField(max_length=120, unique=True)
    title = models.CharField(max_length=300)
    blind = models.BooleanField(
        default=False,
        help_text="Annotators see only their own work on these articles until a curator opens it for all.",
    )
    left = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    right = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)

    objects = ComparisonQuerySet.as_manager()

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


def labels_by_id() -> dict:
    """Every label by id, in label order, read by one plain statement: a write on the hot path
    needs them all, and building the ORM's query took longer than running it."""
    quote, meta = connection.ops.quote_name, Label._meta
    order = ", ".join(quote(meta.get_field(name).column) for name in meta.ordering)
    labels = Label.objects.raw(f"SELECT * FROM {quote(meta.db_table)} ORDER BY {order}")
    return {label.pk: label for label in labels}


def in_order(field, documents):
    """An ordering that puts rows of `documents` in the order given (ordering by the relation
    itself would follow Document's own ordering, by title, not the columns)."""
    ids = [getattr(document, "pk", document) for document in documents]
    return Case(*[When(**{field: pk}, then=Value(i)) for i, pk in enumerate(ids)], default=Value(len(ids)))


class SpeakerQuerySet(models.QuerySet):
    def matching(self, name):
        """Speakers whose name or one of whose aliases is `name`, ignoring case and spacing, in
        name order: looked up by the index of folded names (SpeakerName), then checked against
        the names themselves. The lookup is a plain statement, and models are made only of the
        speakers that match: a new name, the usual speaker tag, costs one statement."""
        wanted = fold_name(name)
        if not wanted:
            return []
        sql = (
            f"SELECT p.id, p.name, p.aliases FROM {Speaker._meta.db_table} p "
            f"JOIN {SpeakerName._meta.db_table} n ON n.speaker_id = p.id WHERE n.folded = %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [wanted])
            ids = [pk for pk, own, aliases in cursor.fetchall() if names_match(wanted, own, aliases)]
        return list(self.filter(pk__in=ids).order_by("name")) if ids else []


def fold_name(name):
    """A name as speakers are matched by it: case folded, spaces made single."""
    return " ".join(name.split()).casefold()


def names_match(wanted, name, aliases):
    """Whether a speaker of this name and these aliases (as stored) is called `wanted`, a name
    already folded (`fold_name`)."""
    return fold_name(name) == wanted or wanted in {fold_name(alias) for alias in alias_lines(aliases)}


def alias_lines(aliases):
    """A speaker's aliases as stored (one per line) as a list of names."""
    return [line.strip() for line in aliases.splitlines() if line.strip()]


class Speaker(Versioned):
    """A source as an authority: one row per person or body, whatever each article calls it."""

    class Kind(models.TextChoices):
        PERSON = "person", "person"
        ORGANISATION = "organisation", "organisation"
        OUTLET = "outlet", "the outlet's own voice"
        ANONYMOUS = "anonymous", "anonymous source"
        DOCUMENT = "document", "document or post"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)
    aliases = models.TextField(blank=True, help_text="Other names, one per line.")
    description = models.TextField(blank=True)
    created = models.DateTimeField(auto_now_add=True)

    objects = SpeakerQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="speaker_name_not_empty"),
            models.CheckConstraint(
                condition=Q(kind__in=["person", "organisation", "outlet", "anonymous", "document"]),
                name="speaker_kind_known",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        fields = kwargs.get("update_fields")
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            if fields is None or {"name", "aliases"} & set(fields):
                SpeakerName.objects.index([self.pk])

    def get_absolute_url(self):
        return reverse("speaker_detail", args=[self.pk])

    @property
    def alias_list(self):
        return alias_lines(self.aliases)

    @property
    def names(self):
        return [self.name, *self.alias_list]


class SpeakerNameQuerySet(models.QuerySet):
    def index(self, speaker_ids):
        """Index these speakers' names and aliases as they are now. Every write of a speaker's
        name or aliases calls it in its transaction: Speaker.save(), a speaker made by a tag
        (annotating.speaker_resolve), a merge, an import's update."""
        ids = list(speaker_ids)
        rows = Speaker.objects.filter(pk__in=ids).values_list("pk", "name", "aliases")
        self.filter(speaker_id__in=ids).delete()
        self.bulk_create(
            SpeakerName(speaker_id=pk, folded=folded)
            for pk, name, aliases in rows
            for folded in {fold_name(n) for n in (name, *alias_lines(aliases))} - {""}
        )


class SpeakerName(models.Model):
    """A speaker's name or alias as names are matched (`fold_name`): what a speaker tag looks its
    speaker up by, through an index, instead of reading every speaker of the project (20 ms a
    tag at 5,000 speakers). Derived from Speaker.name and Speaker.aliases; never exported."""

    speaker = models.ForeignKey(Speaker, on_delete=models.CASCADE, related_name="folded_names")
    folded = models.TextField()

    objects = SpeakerNameQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["folded"], name="speaker_name_folded")]

    def __str__(self):
        return self.folded


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
        """In reading order: the documents in the order given (a comparison's columns), then by place."""
        return (
            self.filter(span__document__in=documents)
            .select_related("span", "label", "author", "speaker")
            .order_by(
                in_order("span__document", documents), "span__start", "-span__end", "label__position", "id"
            )
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
        # A cached column asks for the annotations changed since it was rendered (highlights._patched).
        indexes = [models.Index(fields=["modified"], name="annotation_modified")]
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
        """With both ends, their documents (without their texts: a link needs a title and a slug,
        and every row would carry two articles, 2 MB each when long), the author and reviewer."""
        return self.select_related("source__document", "target__document", "author", "reviewed_by").defer(
            "source__document__text", "target__document__text"
        )

    def for_documents(self, documents):
        """Links with either end in one of the documents, in reading order of their source (the
        documents in the order given)."""
        return (
            self.filter(Q(source__document__in=documents) | Q(target__document__in=documents))
            .with_related()
            .order_by(in_order("source__document", documents), "source__start", "id")
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


class ImportJob(models.Model):
    """An import too large to run within a web request: its file waits in IMPORT_JOBS_DIR while a
    detached `manage.py import_annotations --job ID` imports it, and the curator watches a page
    that polls this row (and the progress file beside the upload) until it says how it ended."""

    class State(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        REFUSED = "refused"  # the file was refused whole: nothing was written
        FAILED = "failed"  # the job stopped unexpectedly: nothing was written either (one transaction)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(auto_now_add=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    file_name = models.CharField(max_length=255, help_text="As uploaded.")
    path = models.CharField(
        max_length=1000, blank=True, help_text="The stored upload, removed when the job ends."
    )
    size = models.PositiveBigIntegerField(default=0)
    format = models.CharField(max_length=10, default="native")
    document = models.ForeignKey(
        Document,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For a W3C file: the document its annotations are anchored on.",
    )
    overwrite = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    pid = models.PositiveIntegerField(null=True, blank=True)
    records_done = models.PositiveIntegerField(default=0)
    bytes_done = models.PositiveBigIntegerField(default=0)
    summary = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created"]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["queued", "running", "done", "refused", "failed"]),
                name="import_job_state_known",
            ),
        ]

    def __str__(self):
        return f"Import {self.file_name} ({self.state})"

    def get_absolute_url(self):
        return reverse("import_job", args=[self.pk])

    @property
    def finished_state(self):
        return self.state in (self.State.DONE, self.State.REFUSED, self.State.FAILED)


class AttributionQuerySet(models.QuerySet):
    def with_spans(self):
        return self.select_related("content", "cue", "source", "speaker", "author").prefetch_related(
            "content_more"
        )

    def shown(self):
        """What the reader draws: attributions, and proposals not yet decided (declined ones are
        remembered, so they are not proposed again, but not shown)."""
        return self.exclude(proposal=Attribution.Proposal.DECLINED)

    def taken(self):
        """Attributions as work: made by a person, or proposed and taken by one."""
        return self.filter(Q(proposal="") | Q(proposal=Attribution.Proposal.TAKEN))


class Attribution(Versioned):
    """Who is reported as saying or believing what (PARC / PolNeAR): a content span (possibly in
    several pieces, as in `"A," he said. "B."`), the cue that reports it ("said", "according to",
    a colon) and, where the text names one, the source; all in one document.

    `origin` says who drew it: "person", or "extractor/<version>" for a machine proposal, which
    stays a proposal until a person takes it (or declines it: then it is never proposed again).
    `status` is the curator's review, as for annotations.
    """

    class Kind(models.TextChoices):
        DIRECT = "direct", "direct (a quotation)"
        INDIRECT = "indirect", "indirect (a paraphrase)"
        MIXED = "mixed", "mixed (a paraphrase with quoted words)"

    class Proposal(models.TextChoices):
        PROPOSED = "proposed", "proposed, not yet decided"
        TAKEN = "taken", "proposed and taken"
        DECLINED = "declined", "proposed and declined"

    PERSON = "person"

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="attributions")
    content = models.ForeignKey(Span, on_delete=models.CASCADE, related_name="attributions_as_content")
    content_more = models.ManyToManyField(
        Span,
        blank=True,
        related_name="attributions_as_more_content",
        help_text="Further pieces of the content.",
    )
    cue = models.ForeignKey(
        Span, null=True, blank=True, on_delete=models.SET_NULL, related_name="attributions_as_cue"
    )
    source = models.ForeignKey(
        Span, null=True, blank=True, on_delete=models.SET_NULL, related_name="attributions_as_source"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.INDIRECT)
    speaker = models.ForeignKey(
        Speaker, null=True, blank=True, on_delete=models.PROTECT, related_name="attributions"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="attributions"
    )
    origin = models.CharField(max_length=60, default=PERSON)
    proposal = models.CharField(max_length=10, choices=Proposal.choices, blank=True, default="")
    note = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_version = models.PositiveIntegerField(null=True, blank=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)

    objects = AttributionQuerySet.as_manager()

    class Meta:
        ordering = ["document", "content__start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["content"], name="attribution_one_per_content"),
            models.CheckConstraint(
                condition=Q(kind__in=["direct", "indirect", "mixed"]), name="attribution_kind_known"
            ),
            models.CheckConstraint(
                condition=Q(proposal__in=["", "proposed", "taken", "declined"]),
                name="attribution_proposal_known",
            ),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="attribution_status_known"),
            models.CheckConstraint(
                condition=~Q(origin="person") | Q(proposal=""), name="attribution_person_made_is_no_proposal"
            ),
        ]

    def __str__(self):
        return f"{self.speaker or 'someone'} {self.cue.exact if self.cue else '—'} {self.content}"

    def get_absolute_url(self):
        return reverse("attribution_detail", args=[self.pk])

    def can_change(self, user):
        if not user.is_authenticated:
            return False
        if self.proposal == self.Proposal.PROPOSED:  # a proposal is anyone's to decide
            return True
        return self.author_id == user.pk or user_is_curator(user)

    @property
    def is_proposal(self):
        return self.proposal == self.Proposal.PROPOSED

    @property
    def edited_since_review(self):
        return self.reviewed_version is not None and self.version > self.reviewed_version


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


class SuggestionIndex(models.Model):
    """A document's counterpart-suggestion index (reader.suggest), kept so that the first suggestion
    on a long text is quick in every worker and on every machine: built when the text is saved,
    checked against the text's digest when read."""

    document = models.OneToOneField(Document, on_delete=models.CASCADE, related_name="suggestion_index")
    text_sha256 = models.CharField(max_length=64)
    language = models.CharField(max_length=20)
    data = models.BinaryField()
    built = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"suggestion index of {self.document_id}"
