"""Blind mode: on a comparison a curator has made blind, annotators see only their own work
(annotations, links, attributions; the machine's undecided proposals are nobody's and everyone's),
so a second reading is not led by the first; curators see everything, and open it for all."""

from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q

from reader.models import CURATOR_GROUP, Attribution, Comparison


def only_author(user, documents):
    """The id of the one author whose work `user` may see on these documents, or None for all."""
    if user.is_superuser or getattr(user, "_curator_groups", False):
        return None
    ids = [getattr(document, "pk", document) for document in documents]
    if not ids:  # nothing shown (a panel whose spans were all deleted): nothing to hide
        return None
    # Asked on every write: both questions in one statement.
    members, comparisons = Group.user_set.through._meta.db_table, Comparison._meta.db_table
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT EXISTS (SELECT 1 FROM {members} m JOIN {Group._meta.db_table} g ON g.id = m.group_id"  # noqa: S608
            f" WHERE m.user_id = %s AND g.name = %s), EXISTS (SELECT 1 FROM {comparisons} c"
            f" WHERE c.blind AND (c.left_id IN ({marks}) OR c.right_id IN ({marks})))",
            [user.pk, CURATOR_GROUP, *ids, *ids],
        )
        curator, blind = cursor.fetchone()
    user._curator_groups = bool(curator)
    return user.pk if blind and not curator else None


def annotations(queryset, author):
    return queryset if author is None else queryset.filter(author=author)


def links(queryset, author):
    return queryset if author is None else queryset.filter(author=author)


def attributions(queryset, author):
    if author is None:
        return queryset
    return queryset.filter(Q(author=author) | Q(proposal=Attribution.Proposal.PROPOSED))
