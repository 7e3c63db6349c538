from tests.yorisoi.test_admin_ja import *  # noqa
from tests.yorisoi.test_admin_ja import admin_pages  # noqa


def test_it_probe(client, people, admin_pages):  # noqa
    client.force_login(people.tom)
    data = set(get_user_model().objects.values_list("username", flat=True)) | {"localhost"}
    for url in admin_pages:
        html = client.get(url).content.decode()
        for label in block_definition_labels(html):
            if label and not JAPANESE.search(label):
                print("LABEL", url, label)
        parser = VisibleText()
        parser.feed(html)
        for text in parser.texts:
            if ENGLISH_WORD.search(text) and not JAPANESE.search(text) and text not in data:
                print("TEXT", url, repr(text))
    assert 0
