from tests.e2e.browser import e2e

pytestmark = e2e

def test_it_a(live_server, people):
    pass

def test_it_b(live_server, course):
    pass
