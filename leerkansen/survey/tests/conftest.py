import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _forget_bad_links(request):
    """Bad links are counted per client address in the database cache: each case that uses
    the database starts and ends with it empty (a rolled-back case would not need it, a
    transactional one does)."""
    uses_db = request.node.get_closest_marker("django_db") is not None
    if uses_db:
        cache.clear()
    yield
    if uses_db:
        cache.clear()
