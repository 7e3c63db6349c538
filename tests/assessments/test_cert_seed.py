from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from assessments.models import Certificate, CertificateCounter


@pytest.mark.django_db
def test_it_seeds_a_certified_trainee_of_a_finished_cohort(client):
    call_command("load_content", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    kato = get_user_model().objects.get(username="demo-kato")
    certificate = Certificate.objects.get(user=kato)
    assert certificate.holder_name == "加藤 由紀"
    assert certificate.cohort.name == "第11期"
    assert certificate.cohort.ends_on < certificate.issued_on
    assert certificate.status == "valid"
    assert CertificateCounter.objects.get().last == 1
    response = client.get(reverse("assessments:verify", args=[certificate.code]))
    assert response.status_code == 200
