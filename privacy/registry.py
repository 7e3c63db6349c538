"""The one list of where personal data lives, and what happens to it.

Every model that holds personal data is registered here once, from a `personal_data.py` module
next to the model's app (discovered when the privacy app is ready). A registration says whose
data a row is (`owner`, a lookup from the model to the user), what happens to that person's
rows when their account is deleted (`on_delete`), how they are exported (`export`), and which
other fields name a user who only acted on the row (`actors`: a trainer who recorded it, an
author of a page). `unregistered_user_links()` lists every relation to the user model that no
registration accounts for; a test keeps that list empty.

This module imports no app's models, so every app may register without importing another.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models


class Policy(StrEnum):
    """What happens to a person's rows when their account is deleted."""

    # The rows go.
    DELETE = "delete"
    # The rows stay for the organisation, with `replace` applied and the owner link removed:
    # only for models whose owner link may be null.
    ANONYMISE = "anonymise"
    # The rows stay as a record (a certificate), with `replace` applied; they are handed to a
    # placeholder account that holds no personal data.
    KEEP = "keep"


DELETE = Policy.DELETE
ANONYMISE = Policy.ANONYMISE
KEEP = Policy.KEEP

# Stored in place of a deleted person's name wherever a record outlives the account.
DELETED_NAME = "削除済みの利用者"

# Export: a list of field lookups for `QuerySet.values()`, or a function of the queryset.
Exporter = Iterable[str] | Callable[[models.QuerySet], list[dict]]


@dataclass(frozen=True)
class Registration:
    model: type[models.Model]
    owner: str | None
    on_delete: Policy
    section: str
    export: Exporter | None = None
    replace: dict[str, Any] = field(default_factory=dict)
    actors: tuple[str, ...] = ()
    # Shown to the owner only: an org admin's export for them leaves it out.
    owner_only: bool = False
    # Deletes the owner's rows in an order the model's constraints need (default: one delete).
    delete: Callable[[models.QuerySet], Any] | None = None
    why: str = ""

    def rows_of(self, user) -> models.QuerySet:
        if self.owner is None:
            return self.model._base_manager.none()
        return self.model._base_manager.filter(**{self.owner: user})

    def exported(self, user) -> list[dict] | None:
        if self.export is None or self.owner is None:
            return None
        rows = self.rows_of(user).order_by("pk")
        if callable(self.export):
            return self.export(rows)
        return list(rows.values(*self.export))


_registry: dict[type[models.Model], Registration] = {}


def register(
    model: type[models.Model],
    *,
    owner: str | None = "user",
    on_delete: Policy = DELETE,
    section: str | None = None,
    export: Exporter | None = None,
    replace: dict[str, Any] | None = None,
    actors: Iterable[str] = (),
    owner_only: bool = False,
    delete: Callable[[models.QuerySet], Any] | None = None,
    why: str = "",
) -> Registration:
    """Declare what `model` holds about people; see the module docstring. `owner=None` for a
    model that names users only as `actors` (their links are cleared by the field's own
    `on_delete`, which must then be SET_NULL or DO_NOTHING)."""
    if model in _registry:
        raise ValueError(f"{model._meta.label} is registered twice")
    if on_delete in (ANONYMISE, KEEP) and owner is not None:
        if "__" in owner:
            raise ValueError(f"{model._meta.label}: kept rows need a direct owner field")
        if on_delete is ANONYMISE and not model._meta.get_field(owner).null:
            raise ValueError(f"{model._meta.label}.{owner} cannot be anonymised: not nullable")
    registration = Registration(
        model=model,
        owner=owner,
        on_delete=on_delete,
        section=section or model._meta.label_lower.replace(".", "_"),
        export=tuple(export) if export is not None and not callable(export) else export,
        replace=dict(replace or {}),
        actors=tuple(actors),
        owner_only=owner_only,
        delete=delete,
        why=why,
    )
    _registry[model] = registration
    return registration


def registrations() -> list[Registration]:
    """Registered models in a stable order (by app, then model name)."""
    return sorted(_registry.values(), key=lambda r: r.model._meta.label_lower)


def registration_for(model) -> Registration | None:
    return _registry.get(model)


def user_links(model: type[models.Model]) -> list[models.Field]:
    """The fields `model` itself declares that point at the user model (inherited fields are
    the parent model's to register)."""
    user_model = get_user_model()
    own = [*model._meta.local_fields, *model._meta.local_many_to_many]
    return [f for f in own if f.is_relation and f.related_model is user_model]


def unregistered_user_links(registry: dict | None = None) -> list[str]:
    """`app.Model.field` for every relation to the user model that no registration covers, and
    every registered actor field that would block or remove rows when its user goes."""
    registry = _registry if registry is None else registry
    user_model = get_user_model()
    missing = []
    for model in apps.get_models():
        if model is user_model:
            continue
        links = user_links(model)
        if not links:
            continue
        registration = registry.get(model)
        covered = set()
        if registration is not None:
            if registration.owner:
                covered.add(registration.owner.split("__")[0])
            covered.update(registration.actors)
        for link in links:
            name = f"{model._meta.label}.{link.name}"
            if link.name not in covered:
                missing.append(name)
            elif (
                link.name in registration.actors
                and not link.many_to_many
                and link.remote_field.on_delete not in (models.SET_NULL, models.DO_NOTHING)
            ):
                missing.append(f"{name} (an actor link must be SET_NULL or DO_NOTHING)")
    return missing
