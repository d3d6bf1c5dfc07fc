import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _forget_bad_links():
    """Bad links are counted per client in the (process-wide) cache: start every test clean."""
    cache.clear()
    yield
    cache.clear()
