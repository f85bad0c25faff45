"""Writes of attributions (PARC/PolNeAR: source, cue, content): keyword-only, validated, atomic,
under the same rules as `annotating` (rows read locked inside the transaction, versions checked,
only changed columns written, offsets checked against the committed text).

A selection is a `Piece` (start, end and the words the page showed); the server trims it and
checks it against the text, as it does for a highlight. Machine proposals are stored as
attributions with `proposal="proposed"`; a person takes or declines each (or all of a paragraph
or document). A declined proposal is kept, unseen, so the same words are never proposed again.
"""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from reader import names
from reader import text as textlib
from reader.annotating import (  # noqa: F401 - Stale is raised here too, through _check_version
    AnnotatingError,
    Conflict,
    NotAllowed,
    Stale,
    _check_version,
    _delete_if_unused,
    _locked,
    _locked_spans,
    _update,
    document_for_offsets,
    mention_name,
    span_get_or_create,
    speaker_resolve,
)
from reader.models import Attribution, Span, Speaker


@dataclass(frozen=True)
class Piece:
    """A selection in the document: offsets and the words the page showed there (None: the
    server's own words at those offsets, as for a proposal)."""

    start: int
    end: int
    exact: str | None = None


ROLES = ("content", "cue", "source", "more")


def _ensure_can_change(attribution, user):
    if not attribution.can_change(user):
        raise NotAllowed(f"This attribution is {attribution.author}'s: only they or a curator can change it.")


def _span(document, piece, user):
    if isinstance(piece, Span):
        return piece
    return span_get_or_create(
        document=document, start=piece.start, end=piece.end, exact=piece.exact, user=user
    )


PRONOUNS = frozenset("he him his she her hers it its they them their we our i".split())  # noqa: SIM905


def _speaker(name, source_words, document_id):
    """The speaker a typed name, or else the source's words, name (see `speaker_resolve`), its
    kind guessed from the name when it is new. A pronoun names nobody by itself: it is resolved,
    as a proposal, where proposals are made."""
    name = " ".join((name or "").split()) or mention_name(source_words or "")
    if not name or name.casefold() in PRONOUNS:
        return None
    speaker = speaker_resolve(name=name, document_id=document_id)
    if speaker is not None and speaker.kind == Speaker.Kind.PERSON and speaker.version == 1:
        kind = names.guess_kind(name)
        if kind != speaker.kind:
            Speaker.objects.filter(pk=speaker.pk).update(kind=kind)
            speaker.kind = kind
    return speaker


@transaction.atomic
def attribution_create(
    *, document, content, author, cue=None, source=None, kind="", speaker_name="", note="", seen_sha256=None
) -> Attribution:
    """Attribute a content span (an existing highlight or a new selection) to a source through a
    cue, in one document. The kind, when not given, is read from the words (a quotation in its
    marks is direct)."""
    document = document_for_offsets(getattr(document, "pk", document), seen_sha256=seen_sha256)
    if isinstance(content, Span) and content.document_id != document.pk:
        raise AnnotatingError("The content must lie in the article being attributed.")
    if isinstance(content, Span):
        (content,) = _locked_spans(content)
    content_span = _span(document, content, author)
    if Attribution.objects.filter(content=content_span).exists():
        raise Conflict("These words are attributed already: open their attribution to change it.")
    cue_span = _span(document, cue, author) if cue is not None else None
    source_span = _span(document, source, author) if source is not None else None
    for role, span in (("cue", cue_span), ("source", source_span)):
        if span is not None and span.pk == content_span.pk:
            raise AnnotatingError(f"The {role} cannot be the content itself: select other words.")
    return Attribution.objects.create(
        document_id=document.pk,
        content=content_span,
        cue=cue_span,
        source=source_span,
        kind=kind or textlib.quotation_kind(content_span.exact),
        speaker=_speaker(speaker_name, source_span.exact if source_span else "", document.pk),
        author=author,
        origin=Attribution.PERSON,
        note=note.strip(),
    )


ATTRIBUTION_FIELDS = ("kind", "speaker_name", "note")


@transaction.atomic
def attribution_update(*, attribution, user, kind, speaker_name="", note="", version=None, seen=None):
    row = _locked(
        Attribution.objects.select_related("speaker", "source", "author"), attribution.pk, "attribution"
    )
    _ensure_can_change(row, user)
    _check_version(row, version, "attribution", seen=seen)
    changes = {}
    if kind != row.kind:
        changes["kind"] = kind
    wanted = " ".join(speaker_name.split())
    if not wanted and row.speaker is not None:
        changes["speaker"] = None
    elif wanted and (
        row.speaker is None or wanted.casefold() not in {n.casefold() for n in row.speaker.names}
    ):
        changes["speaker"] = _speaker(wanted, "", row.document_id)
    if note.strip() != row.note:
        changes["note"] = note.strip()
    if changes:
        _update(row, **changes)
    return row


@transaction.atomic
def attribution_set_piece(*, attribution, user, role, piece=None, version=None, seen_sha256=None):
    """Set the attribution's cue, source or content to new words (`piece`), add a further piece of
    content (`more`), or clear the cue or source (`piece` None) or remove a piece (`role` "more"
    with `piece` the Span to remove)."""
    if role not in ROLES:
        raise AnnotatingError(f"Unknown part {role!r}: choose one of {', '.join(ROLES)}.")
    row = _locked(Attribution.objects.all(), attribution.pk, "attribution")
    _ensure_can_change(row, user)
    _check_version(row, version, "attribution")
    document = document_for_offsets(row.document_id, seen_sha256=seen_sha256)
    old = {"content": row.content_id, "cue": row.cue_id, "source": row.source_id}.get(role)
    if role == "more":
        if isinstance(piece, Span):
            row.content_more.remove(piece)
            _delete_if_unused(Span.objects.select_for_update(of=("self",)).get(pk=piece.pk))
        else:
            span = _span(document, piece, user)
            if span.pk == row.content_id:
                raise AnnotatingError("This piece is the content already.")
            row.content_more.add(span)
        _update(row)
        return row
    if piece is None:
        if role == "content":
            raise AnnotatingError("An attribution needs its content: delete the attribution instead.")
        _update(row, **{role: None})
    else:
        span = _span(document, piece, user)
        if role == "content" and Attribution.objects.filter(content=span).exclude(pk=row.pk).exists():
            raise Conflict("These words are the content of another attribution.")
        changes = {role: span}
        if role == "source" and row.speaker_id is None:
            changes["speaker"] = _speaker("", span.exact, row.document_id)
        _update(row, **changes)
    if old is not None and old != getattr(row, f"{role}_id"):
        _delete_if_unused(Span.objects.select_for_update(of=("self",)).get(pk=old))
    return row


@transaction.atomic
def attribution_delete(*, attribution, user, version=None) -> None:
    row = _locked(Attribution.objects.all(), attribution.pk, "attribution")
    _ensure_can_change(row, user)
    _check_version(row, version, "attribution")
    spans = [row.content_id, row.cue_id, row.source_id, *row.content_more.values_list("pk", flat=True)]
    row.delete()
    for span in Span.objects.select_for_update(of=("self",)).filter(pk__in=[pk for pk in spans if pk]):
        _delete_if_unused(span)


# --- Machine proposals ------------------------------------------------------------------------


def _overlaps(ranges, start, end):
    return any(s < end and start < e for s, e in ranges)


@transaction.atomic
def proposals_store(*, document, proposals, origin) -> int:
    """Store the extractor's proposals for a document as undecided attributions; returns how many
    are new. Nothing is proposed over words a person already attributed, or a proposal already
    made, taken or declined: its content may not overlap theirs."""
    document = document_for_offsets(getattr(document, "pk", document))
    taken = [
        (start, end)
        for start, end in Attribution.objects.filter(document=document.pk).values_list(
            "content__start", "content__end"
        )
    ]
    stored = 0
    for proposal in proposals:
        pieces = proposal.content if isinstance(proposal.content, list) else [proposal.content]
        first_start, first_end = pieces[0]
        if any(_overlaps(taken, s, e) for s, e in pieces):
            continue
        try:
            content = _span(document, Piece(first_start, first_end), None)
            cue = _span(document, Piece(*proposal.cue), None) if proposal.cue else None
            source = _span(document, Piece(*proposal.source), None) if proposal.source else None
        except textlib.SelectionError:
            continue  # a proposal that does not fit the text is dropped, not stored half
        row = Attribution.objects.create(
            document_id=document.pk,
            content=content,
            cue=cue,
            source=source,
            kind=proposal.kind,
            speaker=_speaker(proposal.speaker or "", source.exact if source else "", document.pk),
            origin=origin,
            proposal=Attribution.Proposal.PROPOSED,
        )
        for start, end in pieces[1:]:
            row.content_more.add(_span(document, Piece(start, end), None))
        taken.extend(pieces)
        stored += 1
    return stored


@transaction.atomic
def proposals_decide(*, user, take, attributions=None, document=None, within=None) -> int:
    """Take (or decline) undecided proposals: those given, or all of a document (`within` a
    stretch of it, e.g. a paragraph). A taken proposal becomes the person's attribution, its
    origin kept; a declined one is kept unseen. Returns how many were decided."""
    rows = Attribution.objects.select_for_update(of=("self",)).filter(proposal=Attribution.Proposal.PROPOSED)
    if attributions is not None:
        rows = rows.filter(pk__in=[getattr(a, "pk", a) for a in attributions])
    if document is not None:
        rows = rows.filter(document=getattr(document, "pk", document))
    if within is not None:
        start, end = within
        rows = rows.filter(content__start__lt=end, content__end__gt=start)
    ids = list(rows.values_list("pk", flat=True))
    if not user.is_authenticated:  # pragma: no cover - views need a login
        raise NotAllowed("Log in to decide on proposals.")
    decided = Attribution.Proposal.TAKEN if take else Attribution.Proposal.DECLINED
    fields = {"proposal": decided, "modified": timezone.now()}
    if take:
        fields["author"] = user
    return Attribution.objects.filter(pk__in=ids).update(**fields)
