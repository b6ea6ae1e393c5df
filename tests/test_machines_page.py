"""The dashboard's Machines page (tools/reports/machines.py) in headless Chromium: published by `make publish`,
linked from asv's navigation bar, one table per technique with a column per machine that measured it,
each older-suite machine labelled so and its missing techniques named instead of drawn as dashes.

Uses the published site, browser and page fixtures of tests/test_dashboard.py (its Chromium).
"""
from npopt import TECHNIQUES
from test_dashboard import browser, page, screenshot, site  # noqa: F401  (pytest fixtures)
from tools.reports import machines


def test_the_navigation_bar_links_the_machines_page(page, site):  # noqa: F811
    page.goto(site[1] + "index.html")
    page.wait_for_selector("#nav-li-npopt-machines a", state="attached")
    assert page.locator("#nav-li-npopt-machines a").get_attribute("href") == "machines.html"


def test_the_machines_page_draws_every_machine_and_technique_side_by_side(page, site):  # noqa: F811
    page.goto(site[1] + "machines.html")
    screenshot(page, "dashboard-machines.png")
    assert not page.problems, page.problems
    stored = machines.stored()
    rows = page.locator("#machines tr.machine")
    assert rows.count() == len(stored)
    for i, m in enumerate(stored):
        row = rows.nth(i).inner_text()
        assert m.name in row and m.suite_label in row
    for technique in TECHNIQUES:
        having, expected = machines.technique_rows(stored, technique)
        heading = page.locator(f"#technique-{technique}")
        assert heading.is_visible()
        if not expected:
            continue
        table = page.locator(f"table.technique[data-technique='{technique}']")
        assert table.is_visible() and table.bounding_box()["height"] > 0
        assert table.locator("tr.variant").count() == len(expected)
        headers = table.locator("th").all_inner_texts()
        assert all(any(m.name in h for h in headers) for m in having)
        for cell in table.locator("td.num").all_inner_texts():
            assert cell.strip() not in ("", "-")


def test_an_older_suite_is_labelled_and_what_it_lacks_is_said_once(page, site):  # noqa: F811
    page.goto(site[1] + "machines.html")
    older = [m for m in machines.stored() if m.older_suite]
    text = page.locator("body").inner_text()
    for m in older:
        assert "older suite:" in m.suite_label and m.suite_label in text
        lacking = [t for t in TECHNIQUES if t not in m.techniques]
        assert text.count(f"not measured on {m.name}") >= len(lacking)


def test_the_claims_table_has_a_verdict_per_machine_with_figures(page, site):  # noqa: F811
    page.goto(site[1] + "machines.html")
    having, rows = machines.claim_rows(machines.stored())
    if not having:
        return
    table = page.locator("table.claims")
    assert table.locator("tr.claim").count() == len(rows)
    assert table.locator("tr.claim td[class^='verdict-']").count() == len(rows) * len(having)
