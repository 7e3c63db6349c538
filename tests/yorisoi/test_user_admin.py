"""Only superusers grant superuser status or touch superuser accounts in the Users screens."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import make_user
from yorisoi.roles import ORG_ADMIN, TRAINEE, ensure_groups

User = get_user_model()
PASSWORD = "Ky0to-hoikuen-2026"


@pytest.fixture
def accounts(db):
    ensure_groups()
    ns = type("Accounts", (), {})()
    ns.ada = make_user("ada", ORG_ADMIN, first_name="亜美", last_name="安達")
    ns.alice = make_user("alice", TRAINEE, first_name="愛", last_name="有田")
    ns.root = User.objects.create_superuser("root", "root@example.org", "pw-for-tests")
    return ns


def new_user_data(username, **extra):
    return {
        "username": username,
        "email": f"{username}@example.org",
        "first_name": "花子",
        "last_name": "山田",
        "password1": PASSWORD,
        "password2": PASSWORD,
        **extra,
    }


def edit_data(user, **extra):
    return {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name or "名",
        "last_name": user.last_name or "姓",
        "is_active": "on",
        **extra,
    }


@pytest.mark.django_db
def test_it_creates_no_superuser_for_an_org_admin(client, accounts):
    client.force_login(accounts.ada)
    form = client.get(reverse("wagtailusers_users:add"))
    assert 'name="is_superuser"' not in form.content.decode()
    response = client.post(
        reverse("wagtailusers_users:add"), new_user_data("mallory", is_superuser="on")
    )
    assert response.status_code == 302
    assert not User.objects.get(username="mallory").is_superuser


@pytest.mark.django_db
def test_it_lets_no_org_admin_make_an_account_superuser(client, accounts):
    client.force_login(accounts.ada)
    url = reverse("wagtailusers_users:edit", args=[accounts.alice.pk])
    assert 'name="is_superuser"' not in client.get(url).content.decode()
    response = client.post(url, edit_data(accounts.alice, is_superuser="on", last_name="有田"))
    assert response.status_code == 302
    accounts.alice.refresh_from_db()
    assert not accounts.alice.is_superuser
    assert accounts.alice.last_name == "有田"


@pytest.mark.django_db
def test_it_keeps_superuser_accounts_out_of_an_org_admins_reach(client, accounts):
    client.force_login(accounts.ada)
    pk = accounts.root.pk
    for view in ("edit", "delete", "history"):
        url = reverse(f"wagtailusers_users:{view}", args=[pk])
        assert client.get(url).status_code == 404
    url = reverse("wagtailusers_users:edit", args=[pk])
    response = client.post(url, edit_data(accounts.root, password1=PASSWORD, password2=PASSWORD))
    assert response.status_code == 404
    accounts.root.refresh_from_db()
    assert accounts.root.check_password("pw-for-tests")
    listing = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert "root@example.org" not in listing and "alice" in listing


@pytest.mark.django_db
def test_it_lets_no_org_admin_deactivate_a_superuser_in_bulk(client, accounts):
    client.force_login(accounts.ada)
    url = reverse("wagtail_bulk_action", args=[User._meta.app_label, "user", "set_active_state"])
    client.post(
        f"{url}?id={accounts.root.pk}&id={accounts.alice.pk}",
        {"mark_as_active": "False"},
    )
    accounts.root.refresh_from_db()
    accounts.alice.refresh_from_db()
    assert accounts.root.is_active
    assert not accounts.alice.is_active


@pytest.mark.django_db
def test_it_lets_a_superuser_grant_superuser_status(client, accounts):
    client.force_login(accounts.root)
    response = client.post(
        reverse("wagtailusers_users:add"), new_user_data("deputy", is_superuser="on")
    )
    assert response.status_code == 302
    assert User.objects.get(username="deputy").is_superuser
    url = reverse("wagtailusers_users:edit", args=[accounts.alice.pk])
    assert client.post(url, edit_data(accounts.alice, is_superuser="on")).status_code == 302
    accounts.alice.refresh_from_db()
    assert accounts.alice.is_superuser


def group_id(name):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=name).pk


@pytest.mark.django_db
def test_it_lets_no_org_admin_hand_out_the_org_admin_role(client, accounts):
    client.force_login(accounts.ada)
    admin_group = group_id(ORG_ADMIN)
    form = client.get(reverse("wagtailusers_users:add")).content.decode()
    assert f'value="{admin_group}"' not in form and f'value="{group_id(TRAINEE)}"' in form

    client.post(reverse("wagtailusers_users:add"), new_user_data("mallory", groups=[admin_group]))
    url = reverse("wagtailusers_users:edit", args=[accounts.alice.pk])
    client.post(url, edit_data(accounts.alice, groups=[admin_group]))
    bulk = reverse("wagtail_bulk_action", args=[User._meta.app_label, "user", "assign_role"])
    client.post(f"{bulk}?id={accounts.alice.pk}", {"role": admin_group})

    assert not User.objects.filter(groups__name=ORG_ADMIN).exclude(pk=accounts.ada.pk).exists()


@pytest.mark.django_db
def test_it_keeps_an_org_admins_role_when_another_org_admin_edits_them(client, accounts):
    other = make_user("aki", ORG_ADMIN, first_name="亜紀", last_name="秋山")
    client.force_login(accounts.ada)
    url = reverse("wagtailusers_users:edit", args=[other.pk])

    response = client.post(url, edit_data(other, groups=[group_id(TRAINEE)], last_name="秋田"))

    assert response.status_code == 302
    other.refresh_from_db()
    assert set(other.groups.values_list("name", flat=True)) == {ORG_ADMIN, TRAINEE}
    assert other.last_name == "秋田"


@pytest.mark.django_db
def test_it_lets_a_superuser_hand_out_the_org_admin_role(client, accounts):
    client.force_login(accounts.root)
    url = reverse("wagtailusers_users:edit", args=[accounts.alice.pk])

    client.post(url, edit_data(accounts.alice, groups=[group_id(ORG_ADMIN)]))

    assert accounts.alice.groups.filter(name=ORG_ADMIN).exists()
