"""Replace Wagtail's welcome page with the course catalogue as the site's home page."""

from django.db import migrations


def create_catalogue(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    Locale = apps.get_model("wagtailcore.Locale")
    CourseIndexPage = apps.get_model("courses.CourseIndexPage")

    if CourseIndexPage.objects.exists():
        return
    # Wagtail's own migration creates a welcome page at /home/; nothing else links to it.
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    root = Page.objects.get(depth=1)
    content_type, _ = ContentType.objects.get_or_create(
        model="courseindexpage", app_label="courses"
    )
    siblings = Page.objects.filter(depth=2).order_by("-path").first()
    next_step = int(siblings.path[4:8], 36) + 1 if siblings else 1
    path = root.path + _base36(next_step).rjust(4, "0")
    catalogue = CourseIndexPage.objects.create(
        title="講座一覧",
        draft_title="講座一覧",
        slug="courses",
        content_type=content_type,
        path=path,
        depth=2,
        numchild=0,
        url_path="/courses/",
        locale=Locale.objects.first(),
        intro=(
            "家庭訪問型子育て支援に携わる訪問支援員とコーディネーターのための研修です。"
            "ログインすると、受講中の講座の進み具合と研修時間を確認できます。"
        ),
    )
    root.numchild = Page.objects.filter(depth=2).count()
    root.save(update_fields=["numchild"])
    site = Site.objects.filter(is_default_site=True).first()
    if site:
        site.root_page_id = catalogue.pk
        site.save(update_fields=["root_page"])
    else:
        Site.objects.create(
            hostname="localhost", port=80, root_page_id=catalogue.pk, is_default_site=True
        )


def _base36(number):
    digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while number:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out or "0"


class Migration(migrations.Migration):
    dependencies = [
        ("courses", "0001_initial"),
        ("wagtailcore", "0002_initial_data"),
    ]

    operations = [migrations.RunPython(create_catalogue, migrations.RunPython.noop)]
