"""End to end in a real headless Chromium (Debian's /usr/bin/chromium driven by Playwright; never a downloaded
browser): sign in, filter, open a flag, see the evidence crop, confirm one flag and correct one value with the
keyboard, check the export changed; two reviewers on one flag, the second shown the conflict; extracted HTML
shown as text and never run. Screenshots go to tests/artifacts/."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from test_review_support import (  # noqa: F401  (fixtures)
    ARTIFACTS,
    PASSWORDS,
    XSS_COMMENTARY,
    XSS_LABEL,
    bucks_flags,
    live,
    read_csv,
    review_template,
    review_url,
)

from flows.pipeline import export_dataset

pytestmark = pytest.mark.xdist_group("review-browser")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
        "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"]


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is needed for the browser tests: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


def new_page(browser, dialogs: list | None = None):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("dialog", lambda d: ((dialogs if dialogs is not None else []).append(d.message), d.dismiss()))
    return page


def sign_in(page, base: str, user: str) -> None:
    page.goto(base + "/queue")
    assert "/login" in page.url  # no anonymous reads
    page.fill("#username", user)
    page.fill("#password", PASSWORDS[user])
    page.click("button[type=submit]")
    page.wait_for_url("**/queue**")


def crops_loaded(page, timeout: float = 15.0) -> int:
    """Wait until every evidence image has loaded; returns how many there are."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = page.evaluate("() => Array.from(document.querySelectorAll('img.evidence-crop'))"
                              ".map(i => i.complete && i.naturalWidth > 0)")
        if state and all(state):
            return len(state)
        time.sleep(0.05)
    raise AssertionError("the evidence crops did not load")


def test_reviewer_works_the_queue_in_a_browser(live, browser, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    export_dataset(live.store, tmp_path / "before")
    bucks = bucks_flags(live.store)
    paper = live.store.get_document(bucks[0].discrepancy.document_id)
    dialogs: list[str] = []
    page = new_page(browser, dialogs)
    sign_in(page, live.url, "alice")

    # Filter the queue to the scorecard paper.
    page.select_option("select[name=paper]", label=paper.file_name)
    page.click("#apply-filters")
    page.wait_for_url("**paper=**")
    rows = page.locator("#queue tr.item")
    assert rows.count() == len(bucks)
    assert page.locator('[data-status="open"]').inner_text() == str(len(bucks))

    # Open the first flag: the crop of the page around the value is there, highlighted.
    page.locator("#queue a.open").first.click()
    page.wait_for_url("**/flags/**")
    assert crops_loaded(page) >= 1
    first_id = page.url.split("/flags/")[1].split("?")[0]
    assert page.locator("#rule-message").inner_text() == live.store.get_discrepancy(first_id).discrepancy.message
    page.screenshot(path=str(ARTIFACTS / "review_item.png"), full_page=True)

    # Confirm it with the keyboard: the next flag of the filter opens by itself.
    page.keyboard.press("c")
    page.wait_for_url("**done=confirmed**")
    assert "Confirmed" in page.locator("#done").inner_text()
    second_id = page.url.split("/flags/")[1].split("?")[0]
    assert second_id != first_id
    key = page.locator("#correct-key").input_value()

    # Correct a value with the keyboard: e, type, Enter.
    page.keyboard.press("e")
    page.keyboard.type("85.5")
    page.keyboard.press("Enter")
    page.wait_for_url("**done=corrected**")

    assert live.store.get_discrepancy(first_id).status == "confirmed"
    assert live.store.get_discrepancy(second_id).status == "corrected"
    log = live.store.decisions()
    assert [(d.reviewer, d.action.value, d.discrepancy_id) for d in log] == [
        ("alice", "confirm", first_id), ("alice", "correct", second_id)]

    # The item's history shows who did what, from -> to.
    page.goto(f"{live.url}/flags/{second_id}?status=any")
    history = page.locator("#history").inner_text()
    assert "alice" in history and "correct" in history and "85.5" in history and "open → corrected" in history

    # The export changed: the corrected value, marked reviewed, and the flags' statuses.
    export_dataset(live.store, tmp_path / "after")
    before = {r["observation_key"]: r for r in read_csv(tmp_path / "before" / "observations.csv")}
    after = {r["observation_key"]: r for r in read_csv(tmp_path / "after" / "observations.csv")}
    assert after[key]["value"] == "85.5" and before[key]["value"] != "85.5"
    assert after[key]["reviewed"] == "true" and after[key]["original_value"] == before[key]["value"]
    statuses = {r["discrepancy_id"]: r["status"] for r in read_csv(tmp_path / "after" / "discrepancies.csv")}
    assert statuses[first_id] == "confirmed" and statuses[second_id] == "corrected"
    assert dialogs == []


def test_two_reviewers_the_second_sees_the_conflict(live, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    flag = bucks_flags(live.store)[-1].discrepancy
    alice, bob = new_page(browser), new_page(browser)
    sign_in(alice, live.url, "alice")
    sign_in(bob, live.url, "bob")
    for page in (alice, bob):
        page.goto(f"{live.url}/flags/{flag.id}")
    alice.fill("#dismiss-reason", "the paper's figures agree")
    alice.press("#dismiss-reason", "Enter")
    alice.wait_for_url("**done=dismissed**")
    bob.click("#btn-confirm")
    bob.wait_for_selector("#conflict")
    message = bob.locator("#conflict").inner_text()
    assert "NOT saved" in message and "alice dismissed it" in message and "now 'dismissed'" in message
    assert "dismissed" in bob.locator("#flag-title").inner_text()  # the page now shows the current state
    bob.screenshot(path=str(ARTIFACTS / "review_conflict.png"), full_page=False)
    stored = live.store.get_discrepancy(flag.id)
    assert stored.status == "dismissed"
    assert [(d.reviewer, d.action.value) for d in live.store.decisions(flag.id)] == [("alice", "dismiss")]


def test_extracted_html_is_shown_never_run(live, browser):
    dialogs: list[str] = []
    page = new_page(browser, dialogs)
    sign_in(page, live.url, "bob")
    page.goto(f"{live.url}/queue?status=any")
    page.goto(f"{live.url}/flags/synthhtml00000000001")
    assert page.locator("#row-label").inner_text() == XSS_LABEL
    assert page.locator("#commentary").inner_text() == XSS_COMMENTARY
    assert page.locator("main script, main img[src=x], main sup").count() == 0
    assert dialogs == []
