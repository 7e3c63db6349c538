"""Error pages a learner can meet speak plainly, in the site's own layout."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation


@pytest.mark.django_db
def test_it_explains_an_expired_form_without_csrf_jargon():
    client = Client(enforce_csrf_checks=True)
    with translation.override("en"):
        response = client.post(
            reverse("login"), {"username": "x", "password": "y"}, HTTP_ACCEPT_LANGUAGE="en"
        )
    html = response.content.decode()
    assert response.status_code == 403
    assert "This page has expired" in html or "ページの有効期限が切れました" in html
    assert "CSRF" not in html and "DEBUG" not in html
    assert 'class="site-header"' in html
