import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from reader import text as textlib
from reader.models import CURATOR_GROUP, Annotation, Comparison, Document, Label, Span, Speaker


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
    """The labels the data migration created: Quote, Speaker, Claim."""
    return Label.objects.get(name=name)


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
