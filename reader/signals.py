"""Curators need the admin, and the admin needs staff status: joining the curator group gives it,
so a curator is never sent to the admin's login page. Leaving the group takes nothing away (the
staff status may have been given for another reason)."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from reader.models import CURATOR_GROUP


@receiver(m2m_changed, sender=get_user_model().groups.through)
def curators_are_staff(sender, instance, action, reverse, pk_set, **kwargs):
    if action != "post_add" or not pk_set:
        return
    if not Group.objects.filter(pk__in=pk_set, name=CURATOR_GROUP).exists():
        return
    users = get_user_model().objects
    if reverse:  # group.user_set.add(...): `instance` is the group, pk_set the users
        users.filter(pk__in=pk_set, is_staff=False).update(is_staff=True)
    else:  # user.groups.add(...)
        users.filter(pk=instance.pk, is_staff=False).update(is_staff=True)
        instance.is_staff = True
