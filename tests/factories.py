import importlib
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import factory
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from reader import text as textlib
from reader.models import (
    CURATOR_GROUP,
    Annotation,
    Attribution,
    Comparison,
    Document,
    Label,
    Link,
    Relation,
    Span,
    Speaker,
    Status,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    password = factory.django.Password("correct horse battery staple")


class CuratorFactory(UserFactory):
    username = factory.Sequence(lambda n: f"curator{n}")

    @factory.post_generation
    def curator_group(self, create, extracted, **kwargs):
        if create:
            self.groups.add(Group.objects.get_or_create(name=CURATOR_GROUP)[0])


class DocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Document

    slug = factory.Sequence(lambda n: f"document-{n}")
    title = factory.Sequence(lambda n: f"Article {n}")
    outlet = "Test Wire"
    text = (
        "The minister said the talks had failed.\n\n"
        "Officials denied it on Friday, calling the report “baseless.”\n\n"
        "Nobody else commented."
    )


class ComparisonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comparison

    slug = factory.Sequence(lambda n: f"comparison-{n}")
    title = factory.Sequence(lambda n: f"Comparison {n}")
    left = factory.SubFactory(DocumentFactory)
    right = factory.SubFactory(DocumentFactory)


def builtin_label(name):
    """A label the data migration created: Quote, Speaker, Claim. A transactional test
    (the browser's) flushes them away, so they are made again when missing."""
    label = Label.objects.filter(name=name).first()
    if label is None:
        migration = importlib.import_module("reader.migrations.0002_builtin_labels")
        migration.create_labels(apps, None)
        label = Label.objects.get(name=name)
    return label


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label

    name = factory.Sequence(lambda n: f"Label {n}")
    kind = Label.Kind.OTHER
    colour = "#cc79a7"


class SpeakerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Speaker
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Speaker {n}")


class SpanFactory(factory.django.DjangoModelFactory):
    """A span over `document.text[start:end]`, with its quote and context filled in."""

    class Meta:
        model = Span

    document = factory.SubFactory(DocumentFactory)
    start = 4
    end = 12
    exact = factory.LazyAttribute(lambda o: o.document.text[o.start : o.end])
    prefix = factory.LazyAttribute(lambda o: textlib.context(o.document.text, o.start, o.end)[0])
    suffix = factory.LazyAttribute(lambda o: textlib.context(o.document.text, o.start, o.end)[1])


class AnnotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Annotation

    span = factory.SubFactory(SpanFactory)
    label = factory.LazyFunction(lambda: builtin_label("Quote"))
    author = factory.SubFactory(UserFactory)


# --- Export and import --------------------------------------------------------------------------

EMOJI_NEWS = (
    "Family 👨‍👩‍👧 met at the café in Zürich; flags 🇮🇷 and 🇷🇺 flew.\n\n"
    "The spokesman said “we will respond” 🔥 — e\u0301lan, nai\u0308ve, 𝒳 rules."
)


class LinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Link

    source = factory.SubFactory(SpanFactory)
    target = factory.SubFactory(SpanFactory)
    relation = Relation.COUNTERPART
    author = factory.SubFactory(UserFactory)


def span_over(document, quote):
    """A span over the first occurrence of `quote` in the document's text."""
    start = document.text.index(quote)
    return SpanFactory(document=document, start=start, end=start + len(quote))


def rich_corpus():
    """Every kind of thing an export holds: each label kind, speakers with aliases, cues, notes
    (with markup and line breaks), every status with its reviewer, links of every relation,
    an orphaned span, and a text of emoji (ZWJ sequences, flags), combining accents and astral
    characters. Returns the objects by name."""
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob")
    cora = CuratorFactory(username="cora")
    UserFactory(username="idle")  # has done nothing: no export names them
    left = DocumentFactory(slug="left-doc", title="Left <b>article</b>", url="https://news.example/left")
    right = DocumentFactory(
        slug="right-doc",
        title="Right article",
        text="The talks failed, the minister said.\n\nNo one denied it on Friday.",
        published="2021-01-02",
        published_note="inferred from the text",
    )
    emoji = DocumentFactory(slug="emoji-doc", title="Emoji", text=EMOJI_NEWS, language="fr")
    pair = ComparisonFactory(slug="pair", title="Left and right", left=left, right=right, note="A note.")
    ComparisonFactory(slug="emoji-pair", title="Emoji and right", left=emoji, right=right)
    hedge = LabelFactory(
        name="Hedge", kind=Label.Kind.OTHER, colour="#CC79A7", shortcut="h", description="Soft."
    )
    rouhani = SpeakerFactory(
        name="Hassan Rouhani", aliases="Rouhani\nthe president", description="President."
    )
    ministry = SpeakerFactory(name="Iran's Foreign Ministry", kind=Speaker.Kind.ORGANISATION)
    SpeakerFactory(name="Nobody Quoted")
    quote, speaker, claim = (builtin_label(name) for name in ("Quote", "Speaker", "Claim"))
    reviewed = {"reviewed_by": cora, "reviewed_at": datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=UTC)}

    minister = span_over(left, "The minister")
    failed = span_over(left, "the talks had failed")
    denied = span_over(left, "Officials denied it on Friday")
    baseless = span_over(left, "“baseless.”")
    right_failed = span_over(right, "The talks failed")
    right_denied = span_over(right, "No one denied it on Friday.")
    family = span_over(emoji, "Family 👨‍👩‍👧")
    flags = span_over(emoji, "🇮🇷 and 🇷🇺")
    respond = span_over(emoji, "“we will respond” 🔥 — e\u0301lan, nai\u0308ve, 𝒳")
    orphan = SpanFactory(document=emoji, start=3, end=9, exact="gone text", orphaned=True)

    annotations = [
        AnnotationFactory(span=minister, label=speaker, author=ann, speaker=rouhani),
        AnnotationFactory(
            span=failed,
            label=quote,
            author=ann,
            speaker=rouhani,
            cue="said",
            note="<i>Reported</i>\nspeech.",
            status=Status.ACCEPTED,
            **reviewed,
        ),
        AnnotationFactory(span=failed, label=claim, author=bob, status=Status.REJECTED, **reviewed),
        AnnotationFactory(span=denied, label=claim, author=bob, speaker=ministry, cue="denied"),
        AnnotationFactory(span=baseless, label=hedge, author=ann, note="Scare quotes."),
        AnnotationFactory(span=right_failed, label=claim, author=bob, status=Status.ACCEPTED, **reviewed),
        AnnotationFactory(span=right_denied, label=quote, author=ann),
        AnnotationFactory(span=family, label=speaker, author=ann, note="👍🏽 emoji note"),
        AnnotationFactory(span=flags, label=hedge, author=bob),
        AnnotationFactory(span=respond, label=quote, author=cora, speaker=ministry, cue="said"),
        AnnotationFactory(span=orphan, label=claim, author=ann),
    ]
    links = [
        LinkFactory(
            source=failed,
            target=right_failed,
            relation=Relation.COUNTERPART,
            author=ann,
            status=Status.ACCEPTED,
            **reviewed,
        ),
        LinkFactory(
            source=failed, target=right_failed, relation=Relation.PARAPHRASE, author=bob, note="Close."
        ),
        LinkFactory(
            source=denied,
            target=right_denied,
            relation=Relation.CONTRADICTS,
            author=bob,
            status=Status.REJECTED,
            **reviewed,
        ),
        LinkFactory(
            source=respond, target=right_failed, relation=Relation.ELABORATES, author=cora, note="<b>x</b>"
        ),
    ]
    attributions = [
        Attribution.objects.create(
            document=left,
            content=failed,
            cue=span_over(left, "said"),
            source=minister,
            kind=Attribution.Kind.INDIRECT,
            speaker=rouhani,
            author=ann,
            note="<b>Paraphrase</b>\nof a briefing.",
            status=Status.ACCEPTED,
            **reviewed,
        ),
        # Discontinuous: its content is in two pieces, a paragraph apart.
        Attribution.objects.create(
            document=right,
            content=right_failed,
            cue=span_over(right, "said"),
            source=span_over(right, "the minister"),
            kind=Attribution.Kind.MIXED,
            speaker=rouhani,
            author=bob,
        ),
        # A machine's proposal nobody has decided on yet: no author.
        Attribution.objects.create(
            document=left,
            content=span_over(left, "calling the report “baseless.”"),
            cue=span_over(left, "denied"),
            source=span_over(left, "Officials"),
            kind=Attribution.Kind.MIXED,
            speaker=ministry,
            origin="extractor/1",
            proposal=Attribution.Proposal.PROPOSED,
        ),
        # Declined: remembered, so that it is not proposed again.
        Attribution.objects.create(
            document=emoji,
            content=span_over(emoji, "“we will respond”"),
            cue=span_over(emoji, "said"),
            source=span_over(emoji, "The spokesman"),
            kind=Attribution.Kind.DIRECT,
            origin="extractor/1",
            proposal=Attribution.Proposal.DECLINED,
        ),
        # Taken by a curator, with neither cue nor speaker.
        Attribution.objects.create(
            document=emoji,
            content=span_over(emoji, "met at the café in Zürich"),
            source=family,
            origin="extractor/1",
            proposal=Attribution.Proposal.TAKEN,
            author=cora,
        ),
    ]
    attributions[1].content_more.add(right_denied)
    # Times that no clock would give now, with microseconds, so a round trip shows they are kept.
    for index, item in enumerate([*annotations, *links, *attributions]):
        created = datetime(2024, 1, 1, 12, 0, 0, 123456, tzinfo=UTC) + timedelta(
            days=index, microseconds=index
        )
        type(item).objects.filter(pk=item.pk).update(
            created=created, modified=created + timedelta(hours=index)
        )
        item.refresh_from_db()
    return SimpleNamespace(
        users=[ann, bob, cora],
        documents=[left, right, emoji],
        pair=pair,
        annotations=annotations,
        links=links,
        attributions=attributions,
    )


def dense_reading(*, author, annotations=150, links=60):
    """The shipped comparison read at real density: `annotations` highlights over both articles
    (quotes, speaker mentions and claims; some attributed with a cue, some with notes, some nested
    inside others) and `links` links between them, of every relation."""
    import re

    from django.core.management import call_command

    call_command("load_seeds", verbosity=0)
    comparison = Comparison.objects.select_related("left", "right").get()
    labels = [builtin_label(name) for name in ("Quote", "Speaker", "Claim")]
    speakers = [SpeakerFactory(name=name) for name in ("Hassan Rouhani", "Saeed Khatibzadeh", "Donald Trump")]
    sides = {comparison.left_id: [], comparison.right_id: []}
    for document in (comparison.left, comparison.right):
        words = [m.span() for m in re.finditer(r"\w+", document.text)]
        step = max(1, len(words) // (annotations // 2 + 1))
        for n in range(annotations // 2):
            first = n * step
            length = 1 + n % 5
            start, end = words[first][0], words[min(first + length, len(words) - 1)][1]
            if n % 7 == 6:  # nested inside the previous highlight
                previous = sides[document.pk][-1]
                start, end = previous.start, previous.start + max(1, (previous.end - previous.start) // 2)
                end = document.text[start:end].rstrip() and start + len(document.text[start:end].rstrip())
            span = SpanFactory(document=document, start=start, end=end)
            kind = n % 3
            AnnotationFactory(
                span=span,
                label=labels[kind],
                author=author,
                speaker=speakers[n % 3] if kind != 2 or n % 2 else None,
                cue="said" if kind == 0 else "",
                note=f"note {n}" if n % 4 == 0 else "",
            )
            sides[document.pk].append(span)
    relations = list(Relation.values)
    pairs = zip(sides[comparison.left_id], sides[comparison.right_id], strict=False)
    for n, (source, target) in enumerate(pairs):
        if n >= links:
            break
        LinkFactory(source=source, target=target, relation=relations[n % len(relations)], author=author)
    return comparison


# --- Long documents -----------------------------------------------------------------------------


def long_text(paragraphs=60, seed=0):
    """A synthetic article of `paragraphs` paragraphs (about 250 characters each): sentences with
    emoji, combining marks and an astral letter, a line break inside some paragraphs, a
    Markdown heading, and blank lines of spaces between a few, so that every part of a paged
    text meets each kind of character and gap."""
    words = ["minister", "said", "talks", "🇮🇷", "e\u0301lan", "𝒳", "👨‍👩‍👧", "officials", "denied", "report"]
    out = []
    for index in range(paragraphs):
        if index == paragraphs // 3:
            out.append(f"## Part {index}")
            continue
        sentences = []
        for sentence in range(3):
            picked = [words[(seed + index * 7 + sentence * 3 + n) % len(words)] for n in range(12)]
            sentences.append(f"Paragraph {index} sentence {sentence}: " + " ".join(picked) + ".")
        joiner = "\n" if index % 5 == 0 else " "
        out.append(joiner.join(sentences))
    return "".join(p + ("\n \n" if i % 7 == 3 else "\n\n") for i, p in enumerate(out)).rstrip("\n")
