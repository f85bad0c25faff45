"""A session's user is read again on every request (reader/backends.py): whatever changed in the
user's row meanwhile counts at once.

Bad inputs tried: a session of a user deactivated meanwhile, of a user deleted meanwhile, a
session from before a password change, and a request whose session names no user."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

HOME = reverse("home")


def test_a_logged_in_reader_reaches_the_pages(client):
    client.force_login(UserFactory())
    assert client.get(HOME).status_code == 200


def test_a_user_deactivated_meanwhile_is_logged_out_at_the_next_request(client):
    user = UserFactory()
    client.force_login(user)
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    assert client.get(HOME).status_code == 302


def test_a_user_deleted_meanwhile_is_logged_out_at_the_next_request(client):
    user = UserFactory()
    client.force_login(user)
    user.delete()
    assert client.get(HOME).status_code == 302


def test_a_password_change_elsewhere_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    user.set_password("a-new-password-9")
    user.save()
    assert client.get(HOME).status_code == 302


def test_a_staff_status_given_meanwhile_counts_at_the_next_request(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("admin:index")).status_code == 302
    get_user_model().objects.filter(pk=user.pk).update(is_staff=True, is_superuser=True)
    assert client.get(reverse("admin:index")).status_code == 200
