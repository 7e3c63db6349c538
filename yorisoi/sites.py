"""The request's Wagtail Site, from the cache.

For every page it serves, Wagtail finds the Site in the database (a query whose CASE ordering
takes longer to build than to run) and then reads the site's root page again as its own type to
route from it: two queries and about a sixth of a lesson page's time, for rows an administrator
changes a few times a year. This middleware keeps, per host and port, the Site Wagtail found with
its root page already of its own type, and gives it to Wagtail's page view on the request
(`request._wagtail_site`, which `Site.find_for_request` reads first).

Saving or deleting a Site, or saving, moving or deleting a site's root page, empties the entry
for every host (signals, below). With Redis as the cache that reaches every app process; with each
process's own memory, other processes see the change within TIMEOUT.
"""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.http.request import split_domain_port
from django.utils.deprecation import MiddlewareMixin
from wagtail.models import Site, get_page_models
from wagtail.models.sites import get_site_for_hostname
from wagtail.signals import page_unpublished, post_page_move
from wagtail.views import serve as wagtail_serve

KEY = "yorisoi:sites"
TIMEOUT = 60
# Hosts are checked against ALLOWED_HOSTS before this runs, but a site that allows any host
# must not let made-up Host headers grow the entry without end.
MAX_HOSTS = 50
MISSING = "missing"


def _found(hostname: str, port: int) -> Site | None:
    """What Wagtail itself finds for this host, with the root page of its own type."""
    try:
        site = get_site_for_hostname(hostname, port)
    except Site.DoesNotExist:
        return None
    site.root_page = site.root_page.specific
    return site


def site_for(hostname: str, port: int) -> Site | None:
    sites = cache.get(KEY) or {}
    key = f"{hostname}:{port}"
    if key not in sites:
        site = _found(hostname, port)
        if len(sites) >= MAX_HOSTS:
            sites = {}
        # Another host's entry may have been added meanwhile; losing it costs one lookup.
        sites[key] = site if site is not None else MISSING
        cache.set(KEY, sites, TIMEOUT)
    found = sites[key]
    return None if found == MISSING else found


def forget_sites(**kwargs) -> None:
    cache.delete(KEY)


def _forget_if_a_root(sender, instance, **kwargs) -> None:
    """A page saved or deleted: forget the sites if a cached one routes from it. Only what is
    cached can be out of date, so every page save costs a cache read, not a query."""
    cached = (cache.get(KEY) or {}).values()
    if any(site != MISSING and site.root_page_id == instance.pk for site in cached):
        forget_sites()


class SiteMiddleware(MiddlewareMixin):
    """Gives Wagtail's page view the cached site. Other views find it Wagtail's way if they
    need it at all (most don't), so a page that reads no page touches neither the cache nor the
    database for it."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if view_func is wagtail_serve:
            # As Wagtail: the raw host, so that an unknown one still falls back to the default
            # site (ALLOWED_HOSTS was checked before, by CommonMiddleware).
            hostname = split_domain_port(request._get_raw_host())[0]
            request._wagtail_site = site_for(hostname, request.get_port())


def connect() -> None:
    post_save.connect(forget_sites, sender=Site, dispatch_uid="yorisoi_sites_site_saved")
    post_delete.connect(forget_sites, sender=Site, dispatch_uid="yorisoi_sites_site_deleted")
    # Any page type can be a site's root.
    for model in get_page_models():
        uid = f"yorisoi_sites_{model._meta.label_lower}"
        post_save.connect(_forget_if_a_root, sender=model, dispatch_uid=f"{uid}_saved")
        post_delete.connect(_forget_if_a_root, sender=model, dispatch_uid=f"{uid}_deleted")
    post_page_move.connect(forget_sites, dispatch_uid="yorisoi_sites_page_moved")
    page_unpublished.connect(forget_sites, dispatch_uid="yorisoi_sites_page_unpublished")
