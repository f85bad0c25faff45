"""Blind mode: on a comparison a curator has made blind, annotators see only their own work
(annotations, links, attributions; the machine's undecided proposals are nobody's and everyone's),
so a second reading is not led by the first; curators see everything, and open it for all."""

from django.db.models import Q

from reader.models import Attribution, Comparison, user_is_curator


def only_author(user, documents):
    """The id of the one author whose work `user` may see on these documents, or None for all."""
    if user_is_curator(user):
        return None
    ids = [getattr(document, "pk", document) for document in documents]
    blind = Comparison.objects.filter(blind=True).filter(Q(left__in=ids) | Q(right__in=ids)).exists()
    return user.pk if blind else None


def annotations(queryset, author):
    return queryset if author is None else queryset.filter(author=author)


def links(queryset, author):
    return queryset if author is None else queryset.filter(author=author)


def attributions(queryset, author):
    if author is None:
        return queryset
    return queryset.filter(Q(author=author) | Q(proposal=Attribution.Proposal.PROPOSED))
