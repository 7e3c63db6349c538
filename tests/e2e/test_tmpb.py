from tests.e2e.browser import e2e

pytestmark = e2e

def test_it_a(browsing, people):
    page = browsing.page(people.alice)
    page.goto("/me/")

def test_it_b(browsing, course):
    pass
