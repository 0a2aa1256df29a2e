"""The review app over HTTP, served by uvicorn on 127.0.0.1: sign-in, no anonymous reads or writes, CSRF on every
form, escaping, cookies, roles, optimistic concurrency, and decisions reaching the audit log and the export."""
from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select
from test_review_support import (  # noqa: F401  (fixtures)
    PASSWORDS,
    SYNTH_ID,
    XSS_COMMENTARY,
    XSS_COUNCIL,
    XSS_LABEL,
    XSS_MESSAGE,
    bucks_flags,
    client,
    csrf_of,
    live,
    login,
    read_csv,
    review_template,
    review_url,
    signed_in,
    version_of,
)

from flows.pipeline import export_dataset
from review.app import create_app
from review.server import LiveServer
from store.review_models import ReviewSessionRow

HTML_FLAG = "synthhtml00000000001"


def _post_routes(app) -> list[str]:
    """Every POST route of the app, including those of included routers (FastAPI >= 0.15x wraps them)."""
    found: set[str] = set()

    def walk(routes) -> None:
        for route in routes:
            inner = getattr(route, "original_router", None)
            if inner is not None:
                walk(inner.routes)
            elif "POST" in (getattr(route, "methods", None) or set()):
                found.add(route.path)

    walk(app.routes)
    return sorted(found)


def _fill(path: str, flag_id: str) -> str:
    return path.replace("{flag_id}", flag_id)


# No anonymous access -------------------------------------------------------------------------------------------

def test_anonymous_can_read_and_write_nothing(live):
    flag = bucks_flags(live.store)[0].discrepancy.id
    with client() as c:
        assert c.get(live.url + "/healthz").text == "ok"
        for path in ("/", "/queue", "/queue?status=any", f"/flags/{flag}", "/measures", "/audit", "/users",
                     "/bulk?action=confirm", f"/measures/item?doc={SYNTH_ID}&row=S1"):
            r = c.get(live.url + path)
            assert r.status_code == 303, path
            assert urlsplit(r.headers["location"]).path in ("/login", "/queue"), path
            assert "RAG" not in r.text and "synth" not in r.text
        assert c.get(live.url + f"/flags/{flag}/crop/0.png").status_code == 401
        app_routes = _post_routes(create_app(live.store.url, store=live.store, migrate=False))
        assert len(app_routes) >= 10
        for path in app_routes:
            if path == "/login":
                continue
            r = c.post(live.url + _fill(path, flag), data={"version": "1", "reason": "x", "text": "x", "value": "1",
                                                           "action": "confirm", "expected_count": "1"})
            assert r.status_code == 401, path
    assert live.store.decisions() == []
    assert all(s.status == "open" for s in live.store.discrepancies() if s.discrepancy.id == flag)


def test_login_redirects_back_and_refuses_open_redirects(live):
    flag = bucks_flags(live.store)[0].discrepancy.id
    with client() as c:
        r = c.get(live.url + f"/flags/{flag}?status=any")
        nxt = parse_qs(urlsplit(r.headers["location"]).query)["next"][0]
        assert nxt == f"/flags/{flag}?status=any"
        page = c.get(live.url + "/login?next=" + nxt)
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        done = c.post(live.url + "/login", data={"username": "bob", "password": PASSWORDS["bob"], "login_token": token,
                                                 "next": nxt})
        assert done.status_code == 303 and done.headers["location"] == nxt
    for evil in ("//evil.example/x", "https://evil.example/", "/\\evil.example"):
        with client() as c:
            page = c.get(live.url + "/login")
            token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
            done = c.post(live.url + "/login", data={"username": "bob", "password": PASSWORDS["bob"],
                                                     "login_token": token, "next": evil})
            assert done.headers["location"] == "/queue", evil


def test_wrong_password_and_throttling(live):
    with client() as c:
        r = login(c, live.url, "bob", "not the password")
        assert r.status_code == 401 and "Wrong username or password" in r.text
        assert "scrutiny_session" not in c.cookies
        assert login(c, live.url, "nobody", "whatever-password").status_code == 401
        for _ in range(4):
            login(c, live.url, "bob", "still wrong")
        r = login(c, live.url, "bob", PASSWORDS["bob"])  # even the right password waits now
        assert r.status_code == 429 and "Too many failed sign-ins" in r.text
        assert login(c, live.url, "carol").status_code == 303  # others on the same address still sign in
        for n in range(14):
            login(c, live.url, f"user{n}", "guessing-password")
        assert login(c, live.url, "alice").status_code == 429  # but an address guessing many names is stopped


def test_login_form_itself_needs_its_token(live):
    with client() as c:
        r = c.post(live.url + "/login", data={"username": "bob", "password": PASSWORDS["bob"], "next": "/queue"})
        assert r.status_code == 403 and "scrutiny_session" not in c.cookies
        c.get(live.url + "/login")  # sets the login cookie ...
        r = c.post(live.url + "/login", data={"username": "bob", "password": PASSWORDS["bob"],
                                              "login_token": "forged", "next": "/queue"})
        assert r.status_code == 403  # ... but the form must repeat it


# Cookies, sessions, headers -------------------------------------------------------------------------------------

def test_session_cookie_is_httponly_samesite_and_server_side(live):
    with client() as c:
        r = login(c, live.url, "bob")
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("scrutiny_session="))
        attrs = {a.strip().split("=")[0].lower(): a.strip() for a in cookie.split(";")[1:]}
        assert "httponly" in attrs and attrs["samesite"].lower() == "samesite=lax" and attrs["path"] == "Path=/"
        assert "secure" not in attrs  # plain http on 127.0.0.1; --secure-cookies adds it (next test)
        token = c.cookies["scrutiny_session"]
        with live.store.engine.connect() as conn:
            stored = conn.execute(select(ReviewSessionRow.token_hash)).scalars().all()
        assert token not in stored and len(stored) == 1
        page = c.get(live.url + "/queue")
        assert page.status_code == 200
        assert "default-src 'none'" in page.headers["content-security-policy"]
        assert page.headers["x-frame-options"] == "DENY" and page.headers["x-content-type-options"] == "nosniff"
        assert page.headers["cache-control"] == "no-store"
        # Sign out ends the session on the server: the old cookie no longer works.
        c.post(live.url + "/logout", data={"csrf_token": csrf_of(page.text)})
        with client() as thief:
            thief.cookies.set("scrutiny_session", token)
            assert thief.get(live.url + "/queue").status_code == 303


def test_secure_cookies_option(review_url):
    app = create_app(review_url, secure_cookies=True)
    with LiveServer(app) as server, client() as c:
        page = c.get(server.url + "/login")
        assert "Secure" in page.headers["set-cookie"] and "HttpOnly" in page.headers["set-cookie"]
        token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)
        c.cookies.set("scrutiny_login", token)  # a browser sends a Secure cookie only over HTTPS; here, by hand
        r = c.post(server.url + "/login", data={"username": "bob", "password": PASSWORDS["bob"],
                                                "login_token": token, "next": "/queue"})
        assert r.status_code == 303
        cookie = next(v for k, v in r.headers.multi_items() if k == "set-cookie" and v.startswith("scrutiny_session="))
        assert "Secure" in cookie and "HttpOnly" in cookie
    app.state.store.close()


def test_unknown_host_header_refused(review_url):
    app = create_app(review_url, allowed_hosts=["127.0.0.1", "localhost"])
    with LiveServer(app) as server, client() as c:
        assert c.get(server.url + "/healthz").status_code == 200
        assert c.get(server.url + "/healthz", headers={"host": "rebound.example"}).status_code == 400
    app.state.store.close()


# CSRF -------------------------------------------------------------------------------------------------------------

def test_every_form_needs_the_sessions_csrf_token(live):
    flag = bucks_flags(live.store)[0]
    fid = flag.discrepancy.id
    data = {"version": str(flag.version), "reason": "x", "text": "x", "value": "1", "action": "confirm",
            "expected_count": "1", "indicator_id": "CIN_RATE", "doc": SYNTH_ID, "row": "S1", "assignee": "bob"}
    routes = _post_routes(create_app(live.store.url, store=live.store, migrate=False))
    assert {"/logout", "/flags/{flag_id}/confirm", "/flags/{flag_id}/dismiss", "/flags/{flag_id}/correct",
            "/flags/{flag_id}/remap", "/flags/{flag_id}/comment", "/flags/{flag_id}/assign", "/bulk",
            "/measures/remap"} <= set(routes)
    with signed_in(live.url, "alice") as c, signed_in(live.url, "bob") as other:
        bobs_token = csrf_of(other.get(live.url + "/queue").text)
        for path in routes:
            if path == "/login":
                continue
            for token in (None, "forged", bobs_token):  # missing, made up, another session's
                payload = dict(data) | ({"csrf_token": token} if token else {})
                r = c.post(live.url + _fill(path, fid), data=payload)
                assert r.status_code == 403, (path, token)
        # A cross-site request carrying a valid token is refused too (Origin / Sec-Fetch-Site).
        token = csrf_of(c.get(live.url + f"/flags/{fid}").text)
        r = c.post(live.url + f"/flags/{fid}/confirm", data=data | {"csrf_token": token},
                   headers={"origin": "http://evil.example"})
        assert r.status_code == 403
        r = c.post(live.url + f"/flags/{fid}/confirm", data=data | {"csrf_token": token},
                   headers={"sec-fetch-site": "cross-site"})
        assert r.status_code == 403
        assert c.get(live.url + "/queue").status_code == 200  # still signed in: logout was refused too
    assert live.store.decisions() == []


# Escaping -------------------------------------------------------------------------------------------------------

def test_extracted_text_is_escaped_everywhere(live):
    with signed_in(live.url, "bob") as c:
        pages = [c.get(live.url + "/queue?status=any").text,
                 c.get(live.url + f"/flags/{HTML_FLAG}").text,
                 c.get(live.url + f"/measures/item?doc={SYNTH_ID}&row=S1").text,
                 c.get(live.url + "/measures").text]
        token = csrf_of(pages[1])
        c.post(live.url + f"/flags/{HTML_FLAG}/comment", data={"csrf_token": token, "text": "<script>alert('c')</script>"})
        pages.append(c.get(live.url + f"/flags/{HTML_FLAG}").text)
        pages.append(c.get(live.url + "/audit").text)
    for html in pages:
        assert "<script>alert" not in html and "onerror=alert" not in html.replace("onerror=alert(&#34;", "")
        assert "<img src=x" not in html and "<sup>th" not in html
    item = pages[1]
    assert "&lt;script&gt;alert(&#34;xss-label&#34;)&lt;/script&gt;" in item
    assert "&lt;sup&gt;th&lt;/sup&gt;" in item  # the seed commentary's HTML is shown as text
    assert "&lt;script&gt;alert(&#34;xss-msg&#34;)&lt;/script&gt;" in item
    assert "Testshire &lt;i&gt;County&lt;/i&gt; Council" in item
    assert "&lt;script&gt;alert(&#39;c&#39;)&lt;/script&gt;" in pages[-2]
    assert XSS_LABEL and XSS_COMMENTARY and XSS_MESSAGE and XSS_COUNCIL  # the fixtures really carry HTML


# Roles -----------------------------------------------------------------------------------------------------------

def test_reviewers_cannot_do_admin_things(live):
    with signed_in(live.url, "bob") as c:
        assert c.get(live.url + "/users").status_code == 403
        assert c.get(live.url + "/bulk?action=confirm").status_code == 403
        token = csrf_of(c.get(live.url + "/queue").text)
        r = c.post(live.url + "/bulk", data={"csrf_token": token, "action": "confirm", "expected_count": "1",
                                              "back": "status=open"})
        assert r.status_code == 403
        assert "bulk over this filter" not in c.get(live.url + "/queue").text.lower()
    with signed_in(live.url, "alice") as c:
        users = c.get(live.url + "/users")
        assert users.status_code == 200 and "carol" in users.text and "argon2" not in users.text
    assert live.store.decisions() == []


# Queue ------------------------------------------------------------------------------------------------------------

def test_queue_filters_counts_and_order(live):
    flags = live.store.discrepancies()
    with signed_in(live.url, "bob") as c:
        page = c.get(live.url + "/queue?status=any").text
        shown = re.findall(r'<tr class="item" data-href="/flags/([0-9a-z]+)\?', page)
        assert sorted(shown) == sorted(f.discrepancy.id for f in flags)
        by_id = {f.discrepancy.id: f.discrepancy for f in flags}
        keys = [(by_id[i].severity.value, not by_id[i].changes_rag) for i in shown]
        assert keys == sorted(keys)  # errors first, then RAG-changing
        assert f'data-status="any">{len(flags)}<' in page
        one = c.get(live.url + f"/queue?status=any&paper={SYNTH_ID}").text
        assert len(re.findall(r'<tr class="item"', one)) == 3
        assert len(re.findall(r'<tr class="item"', c.get(live.url + "/queue?status=any&rule=TEST_QUERY").text)) == 1
        councils = c.get(live.url + "/queue?status=any&council=" + "Testshire <i>County</i> Council").text
        assert len(re.findall(r'<tr class="item"', councils)) == 3
        assert len(re.findall(r'<tr class="item"', c.get(live.url + "/queue?severity=query&status=any").text)) == \
            sum(f.discrepancy.severity == "query" for f in flags)
        assert c.get(live.url + "/queue?status=bogus").status_code == 400
        assert c.get(live.url + "/queue?after=not-a-cursor").status_code == 400


# Decisions, conflicts, audit, export ---------------------------------------------------------------------------------

def test_two_reviewers_the_second_gets_a_conflict(live):
    flag = bucks_flags(live.store)[0].discrepancy
    with signed_in(live.url, "alice") as a, signed_in(live.url, "bob") as b:
        page_a = a.get(live.url + f"/flags/{flag.id}").text
        page_b = b.get(live.url + f"/flags/{flag.id}").text
        assert version_of(page_a) == version_of(page_b) == 1
        r = a.post(live.url + f"/flags/{flag.id}/dismiss",
                   data={"csrf_token": csrf_of(page_a), "version": "1", "reason": "the paper is right", "back": ""})
        assert r.status_code == 303
        r = b.post(live.url + f"/flags/{flag.id}/confirm",
                   data={"csrf_token": csrf_of(page_b), "version": "1", "back": ""})
        assert r.status_code == 409
        assert "Conflict: your confirm was NOT saved" in r.text and "alice dismissed it" in r.text
        r = b.post(live.url + f"/flags/{flag.id}/correct",
                   data={"csrf_token": csrf_of(page_b), "version": "1", "back": "", "value": "1",
                         "observation_key": re.search(r'<option value="([^"]+)" selected', page_b).group(1)})
        assert r.status_code == 409 and "NOT saved" in r.text
    stored = live.store.get_discrepancy(flag.id)
    assert (stored.status, stored.version) == ("dismissed", 2)
    assert [(d.reviewer, d.action.value) for d in live.store.decisions(flag.id)] == [("alice", "dismiss")]


def test_assign_conflict_comment_and_assignee_filter(live):
    flag = bucks_flags(live.store)[1].discrepancy
    with signed_in(live.url, "alice") as a, signed_in(live.url, "bob") as b:
        page_a, page_b = a.get(live.url + f"/flags/{flag.id}").text, b.get(live.url + f"/flags/{flag.id}").text
        assert a.post(live.url + f"/flags/{flag.id}/assign",
                      data={"csrf_token": csrf_of(page_a), "assignee": "carol", "expected_assignee": ""}).status_code == 303
        r = b.post(live.url + f"/flags/{flag.id}/assign",
                   data={"csrf_token": csrf_of(page_b), "assignee": "me", "expected_assignee": ""})
        assert r.status_code == 409 and "assigned to carol" in r.text
        mine = a.get(live.url + "/queue?assignee=carol&status=any").text
        assert re.findall(r'<tr class="item" data-href="/flags/([0-9a-z]+)\?', mine) == [flag.id]
        assert a.post(live.url + f"/flags/{flag.id}/comment",
                      data={"csrf_token": csrf_of(page_a), "text": "  "}).status_code == 400
        assert a.post(live.url + f"/flags/{flag.id}/comment",
                      data={"csrf_token": csrf_of(page_a), "text": "Checked with the service."}).status_code == 303
        item = a.get(live.url + f"/flags/{flag.id}").text
        assert "Checked with the service." in item and "(nobody) → <strong>carol</strong>" in item


def test_confirm_correct_remap_reach_audit_and_export(live, tmp_path):
    first, second = bucks_flags(live.store)[:2]
    export_dataset(live.store, tmp_path / "before")
    with signed_in(live.url, "alice") as c:
        page = c.get(live.url + f"/flags/{first.discrepancy.id}?status=open").text
        r = c.post(live.url + f"/flags/{first.discrepancy.id}/confirm",
                   data={"csrf_token": csrf_of(page), "version": str(version_of(page)), "back": "status=open"})
        assert r.status_code == 303
        nxt = r.headers["location"]
        assert nxt.startswith("/flags/") and "done=confirmed" in nxt  # auto-advance to the next open flag
        assert "Confirmed" in c.get(live.url + nxt).text

        flag = second.discrepancy
        page = c.get(live.url + f"/flags/{flag.id}").text
        key = re.search(r'<option value="([^"]+)" selected', page).group(1)
        bad = c.post(live.url + f"/flags/{flag.id}/correct", data={
            "csrf_token": csrf_of(page), "version": str(version_of(page)), "observation_key": key, "value": "lots"})
        assert bad.status_code == 400 and "must be a number" in bad.text
        r = c.post(live.url + f"/flags/{flag.id}/correct", data={
            "csrf_token": csrf_of(page), "version": str(version_of(page)), "observation_key": key, "value": "85.5%",
            "reason": "misread"})
        assert r.status_code == 303

        page = c.get(live.url + "/flags/synthhtml00000000001").text
        r = c.post(live.url + "/flags/synthhtml00000000001/remap", data={
            "csrf_token": csrf_of(page), "indicator_id": "CIN_RATE", "expected_indicator": "", "save_alias": "1"})
        assert r.status_code == 303
        assert c.post(live.url + "/flags/synthhtml00000000001/remap", data={
            "csrf_token": csrf_of(page), "indicator_id": "NOT_AN_INDICATOR"}).status_code == 400
        audit = c.get(live.url + "/audit").text
        assert "confirm" in audit and "open → <strong>confirmed</strong>" in audit
        assert "→ <strong>85.5</strong>" in audit and "(unmapped) → <strong>CIN_RATE</strong>" in audit
        item = c.get(live.url + f"/flags/{flag.id}").text
        assert "alice" in item and "misread" in item and "corrected" in item

    export_dataset(live.store, tmp_path / "after")
    before = {r["observation_key"]: r for r in read_csv(tmp_path / "before" / "observations.csv")}
    after = {r["observation_key"]: r for r in read_csv(tmp_path / "after" / "observations.csv")}
    assert before[key]["value"] != "85.5" and after[key]["value"] == "85.5"
    assert after[key]["reviewed"] == "true" and after[key]["original_value"] == before[key]["value"]
    synth = [r for r in after.values() if r["document_id"] == SYNTH_ID and r["row_ref"] == "S1"]
    assert synth and all(r["indicator_id"] == "CIN_RATE" and r["mapping_status"] == "reviewed" for r in synth)
    statuses = {r["discrepancy_id"]: r["status"] for r in read_csv(tmp_path / "after" / "discrepancies.csv")}
    assert statuses[first.discrepancy.id] == "confirmed" and statuses[flag.id] == "corrected"
    assert live.store.aliases().get(XSS_LABEL) == "CIN_RATE"


def test_bulk_over_a_filter_with_preview_and_conflict(live):
    with signed_in(live.url, "alice") as c:
        preview = c.get(live.url + f"/bulk?action=dismiss&paper={SYNTH_ID}").text
        count = int(re.search(r'id="bulk-count">(\d+)<', preview).group(1))
        assert count == 3
        token = csrf_of(preview)
        back = re.search(r'name="back" value="([^"]+)"', preview).group(1).replace("&amp;", "&")
        r = c.post(live.url + "/bulk", data={"csrf_token": token, "action": "dismiss", "expected_count": "3",
                                              "back": back})
        assert r.status_code == 400  # a dismissal needs a reason
        r = c.post(live.url + "/bulk", data={"csrf_token": token, "action": "dismiss", "expected_count": "2",
                                              "back": back, "reason": "synthetic paper"})
        assert r.status_code == 409 and "nothing was changed" in r.text
        r = c.post(live.url + "/bulk", data={"csrf_token": token, "action": "dismiss", "expected_count": "3",
                                              "back": back, "reason": "synthetic paper"})
        assert r.status_code == 303
    synth = [s for s in live.store.discrepancies(document_id=SYNTH_ID)]
    assert all(s.status == "dismissed" for s in synth)
    assert all(s.status == "open" for s in bucks_flags(live.store))
    log = live.store.decisions()
    assert len(log) == 3 and {d.reason for d in log} == {"synthetic paper"} and {d.reviewer for d in log} == {"alice"}


def test_measures_queue_offers_candidates_and_remaps(live):
    with signed_in(live.url, "bob") as c:
        page = c.get(live.url + "/measures").text
        assert "CIN_RATE" in page and "CLA_RATE" in page and "widgets" in page
        token = csrf_of(page)
        r = c.post(live.url + "/measures/remap", data={"csrf_token": token, "doc": SYNTH_ID, "row": "S2",
                                                        "indicator_id": "CLA_RATE", "expected_indicator": "",
                                                        "next": "list"})
        assert r.status_code == 303
        r = c.post(live.url + "/measures/remap", data={"csrf_token": token, "doc": SYNTH_ID, "row": "S2",
                                                        "indicator_id": "CIN_RATE", "expected_indicator": ""})
        assert r.status_code == 409 and "NOT saved" in r.text
        page = c.get(live.url + "/measures").text
        assert "widgets" not in page and "CIN_RATE" in page
    assert live.review.current_mapping(SYNTH_ID, "S2") == ("CLA_RATE", "reviewed")


def test_crop_is_a_png_of_the_highlighted_page(live):
    flag = bucks_flags(live.store)[0].discrepancy
    with signed_in(live.url, "bob") as c:
        page = c.get(live.url + f"/flags/{flag.id}").text
        srcs = re.findall(r'<img src="(/flags/[^"]+\.png)"', page)
        assert srcs, "the item view shows at least one crop"
        png = c.get(live.url + srcs[0])
        assert png.status_code == 200 and png.headers["content-type"] == "image/png"
        assert png.content[:8] == b"\x89PNG\r\n\x1a\n"
        assert c.get(live.url + f"/flags/{flag.id}/crop/99.png").status_code == 404
        # No file for the synthetic paper: the page's words stand in, escaped.
        synth = c.get(live.url + f"/flags/{HTML_FLAG}").text
        assert "not on this machine" in synth and "&lt;script&gt;alert(1)&lt;/script&gt;" in synth


@pytest.mark.parametrize("user", ["bob"])
def test_users_cli_adds_hashed_user_who_can_sign_in(live, user):
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, ["users", "add", "dave", "--role", "reviewer", "--password-stdin",
                                      "--database", live.store.url.render_as_string(hide_password=False)],
                                input="dave-password-1\n")
    assert result.exit_code == 0, result.output
    result = CliRunner().invoke(app, ["users", "add", "dave", "--password-stdin", "--database",
                                      live.store.url.render_as_string(hide_password=False)], input="another-pass-1\n")
    assert result.exit_code == 2 and "already exists" in result.output
    result = CliRunner().invoke(app, ["users", "add", "eve", "--password-stdin", "--database",
                                      live.store.url.render_as_string(hide_password=False)], input="short\n")
    assert result.exit_code == 2 and "at least" in result.output
    with client() as c:
        assert login(c, live.url, "dave", "dave-password-1").status_code == 303
    listing = CliRunner().invoke(app, ["users", "list", "--database", live.store.url.render_as_string(hide_password=False)])
    assert "dave" in listing.output and "reviewer" in listing.output
