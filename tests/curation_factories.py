"""Objects for the curation tests: admin users, links, and large corpora made in bulk."""

from django.contrib.auth.models import Permission

from reader import text as textlib
from reader.models import Annotation, Comparison, Document, Label, Link, Relation, Span, Speaker, Status
from tests.factories import CuratorFactory, UserFactory, builtin_label


def admin_curator(username="cura"):
    """A curator who can open the admin: staff, and in the curator group."""
    return CuratorFactory(username=username, is_staff=True)


def staff_member(username="stef", permissions=()):
    """Staff who are not curators, with model permissions given one by one ("reader.change_annotation")."""
    user = UserFactory(username=username, is_staff=True)
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user


def make_link(source, target, author, **fields):
    return Link.objects.create(source=source, target=target, author=author, **fields)


def _document(slug, text):
    return Document(slug=slug, title=f"Title {slug}", text=text, text_sha256=textlib.sha256(text))


def bulk_corpus(n, tag="x"):
    """n of everything the admin lists: documents, comparisons, labels, speakers, spans,
    annotations and links, made with bulk_create so that 1,000 take a moment."""
    text = " ".join(f"w{i:04d}" for i in range(n))
    left, right = Document.objects.bulk_create(
        [_document(f"{tag}-left", text), _document(f"{tag}-right", text)]
    )
    others = Document.objects.bulk_create([_document(f"{tag}-doc-{i}", "Some text.") for i in range(n)])
    Comparison.objects.bulk_create(
        [
            Comparison(slug=f"{tag}-cmp-{i}", title=f"Comparison {i}", left=left, right=others[i])
            for i in range(n)
        ]
    )
    Label.objects.bulk_create([Label(name=f"{tag} label {i}", colour="#123456") for i in range(n)])
    speakers = Speaker.objects.bulk_create([Speaker(name=f"{tag} speaker {i}") for i in range(n)])
    authors = [UserFactory(username=f"{tag}-annotator-{i}") for i in range(3)]
    reviewer = admin_curator(f"{tag}-reviewer")
    spans = {}
    for document in (left, right):
        spans[document.pk] = Span.objects.bulk_create(
            [
                Span(document=document, start=6 * i, end=6 * i + 5, exact=f"w{i:04d}", created_by=authors[0])
                for i in range(n)
            ]
        )
    labels = [builtin_label(name) for name in ("Quote", "Speaker", "Claim")]
    Annotation.objects.bulk_create(
        [
            Annotation(
                span=span,
                label=labels[i % 3],
                author=authors[i % 3],
                speaker=speakers[i],
                cue="said",
                status=Status.ACCEPTED if i % 2 else Status.PENDING,
                reviewed_by=reviewer if i % 2 else None,
            )
            for i, span in enumerate(spans[left.pk])
        ]
    )
    Link.objects.bulk_create(
        [
            Link(source=source, target=target, relation=Relation.COUNTERPART, author=authors[i % 3])
            for i, (source, target) in enumerate(zip(spans[left.pk], spans[right.pk], strict=True))
        ]
    )
