"""Helpers for the test suites of every app."""


def assert_no_axe_violations(page) -> None:
    """Run axe-core (shipped with axe-playwright-python) on the page; fail with its report."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()
