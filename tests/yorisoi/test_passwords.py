"""Password rules on the pages where people choose one: invitations and password resets."""

from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from courses import services
from courses.models import Cohort, CohortInvitation
from tests.factories import make_user
from yorisoi.roles import TRAINEE


@pytest.fixture
def hanako(course):
    """A trainee a roster created: no password yet, invited to a cohort."""
    user = make_user("hanako", TRAINEE, last_name="佐藤", first_name="花子")
    user.set_unusable_password()
    user.save()
    today = timezone.localdate()
    cohort = Cohort.objects.create(
        course=course, name="第1期", starts_on=today, ends_on=today + timedelta(days=30)
    )
    CohortInvitation.objects.create(
        cohort=cohort, user=user, name="佐藤 花子", email=user.email, new_account=True
    )
    return user


def choose_password(client, user, route, password):
    fields = {"new_password1": password, "new_password2": password}
    if route == "invitation":
        link = services.invitation_path(user.cohort_invitations.get())
        return client.post(link, {"answer": "join", **fields}, HTTP_ACCEPT_LANGUAGE="en")
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = reverse(route, args=[uid, default_token_generator.make_token(user)])
    form = client.get(link, follow=True)
    return client.post(form.redirect_chain[-1][0], fields, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize("route", ["invitation", "password_reset_confirm"])
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("83917264", "entirely numeric"),
        ("8391726405", "entirely numeric"),
        ("kawa-hana", "at least 10 characters"),
        ("password1234", "too common"),
        ("hanako@example", "too similar"),
    ],
)
def test_it_refuses_weak_passwords(client, hanako, route, password, reason):
    response = choose_password(client, hanako, route, password)

    assert response.status_code == (400 if route == "invitation" else 200)
    assert reason in response.content.decode()
    hanako.refresh_from_db()
    assert not hanako.check_password(password)


@pytest.mark.parametrize("route", ["invitation", "password_reset_confirm"])
def test_it_accepts_a_long_uncommon_password(client, hanako, route):
    response = choose_password(client, hanako, route, "kawa-no-hana-2026")

    assert response.status_code == 302
    hanako.refresh_from_db()
    assert hanako.check_password("kawa-no-hana-2026")
