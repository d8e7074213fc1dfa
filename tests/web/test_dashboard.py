"""The dashboard as an editor uses it, in a real browser against a real running
service: log in, review the queue, edit, approve (and find the post in the outbox
within 5 s), reject, post a URL; and the refusals: a viewer cannot approve, a form
without its CSRF token is refused, a guessed password is throttled."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.web.conftest import Site, log_in

pytestmark = pytest.mark.servers


def _posted(site: Site, text: str) -> bool:
    return any(text in post["text"] for post in site.outbox())


def _held(site: Site, target: str) -> list[dict[str, Any]]:
    return [d for d in site.deliveries() if d["state"] == "held" and d["target"] == target]


def test_an_editor_logs_in_and_sees_every_held_delivery_with_its_text(
    browser: Any, site: Site
) -> None:
    page = log_in(browser, site, "eddie")
    page.get_by_role("link", name="Queue").click()
    held = page.locator("article.held")
    assert held.count() == len([d for d in site.deliveries() if d["state"] == "held"])
    first = _held(site, "box")[0]
    box = page.get_by_label("Text").first
    assert box.input_value() in {d["text"] for d in _held(site, "box")}
    assert page.locator(f"#d{first['id']}").get_by_text("/280").count() == 1
    assert page.locator("img.card-image").count() >= 1  # the WeChat card is shown
    page.context.close()


def test_an_edit_over_the_platforms_limit_is_refused_and_changes_nothing(
    browser: Any, site: Site
) -> None:
    page = log_in(browser, site, "eddie")
    page.goto(site.url + "/queue")
    delivery = _held(site, "box")[0]
    card = page.locator(f"#d{delivery['id']}")
    card.get_by_label("Text").fill("x" * 400)
    card.locator("span.over").wait_for(state="visible")  # measured live as the editor types
    assert card.locator(".count").inner_text() == "400"
    card.get_by_role("button", name="Save text").click()
    assert "over the limit of 280; nothing was changed" in page.locator(".message").inner_text()
    after = next(d for d in site.deliveries() if d["id"] == delivery["id"])
    assert after["text"] == delivery["text"]
    page.context.close()


def test_an_approved_delivery_is_sent_by_the_running_service_within_5_s(
    browser: Any, site: Site
) -> None:
    page = log_in(browser, site, "eddie")
    page.goto(site.url + "/queue")
    delivery = _held(site, "box")[0]
    card = page.locator(f"#d{delivery['id']}")
    card.get_by_label("Text").fill("Edited by the desk: " + delivery["text"][:200])
    card.get_by_role("button", name="Save text").click()
    assert "text saved" in page.locator(".message").inner_text()
    before = len(site.outbox())
    page.locator(f"#d{delivery['id']}").get_by_role("button", name="Approve").click()
    approved = time.monotonic()
    while len(site.outbox()) == before and time.monotonic() - approved < 10:
        time.sleep(0.1)
    took = time.monotonic() - approved
    assert took <= 5.0
    assert _posted(site, "Edited by the desk: ")
    history = next(d for d in site.deliveries() if d["id"] == delivery["id"])
    assert history["state"] == "sent"
    page.context.close()


def test_a_rejected_delivery_is_never_sent_and_its_history_names_the_editor(
    browser: Any, site: Site
) -> None:
    page = log_in(browser, site, "eddie")
    page.goto(site.url + "/queue")
    delivery = _held(site, "card")[0]
    page.locator(f"#d{delivery['id']}").get_by_role("button", name="Reject").click()
    assert "held -> rejected" in page.locator(".message").inner_text()
    page.goto(site.url + f"/articles/{delivery['article_id']}")
    page.get_by_text("History").first.click()
    assert page.get_by_text("reject by eddie (web)").count() >= 1
    page.context.close()


def test_a_viewer_sees_the_queue_but_is_refused_on_approve(browser: Any, site: Site) -> None:
    page = log_in(browser, site, "vera")
    page.goto(site.url + "/queue")
    delivery = _held(site, "box")[0]
    with page.expect_response(lambda r: "/approve" in r.url) as answer:
        page.locator(f"#d{delivery['id']}").get_by_role("button", name="Approve").click()
    assert answer.value.status == 403
    assert page.get_by_text("Your role does not allow this.").count() == 1
    assert next(d for d in site.deliveries() if d["id"] == delivery["id"])["state"] == "held"
    page.context.close()


def test_a_form_posted_without_its_csrf_token_is_refused(browser: Any, site: Site) -> None:
    page = log_in(browser, site, "ada")
    delivery = _held(site, "box")[0]
    answer = page.request.post(site.url + f"/deliveries/{delivery['id']}/approve", form={})
    assert answer.status == 403
    assert "did not come from this page" in answer.text()
    assert next(d for d in site.deliveries() if d["id"] == delivery["id"])["state"] == "held"
    page.context.close()


def test_an_editor_posts_a_url_from_the_post_page_after_seeing_every_preview(
    browser: Any, site: Site
) -> None:
    page = log_in(browser, site, "eddie")
    page.get_by_role("link", name="Post").click()
    page.get_by_label("Article URL").fill(site.news + "/article.htm")
    page.get_by_role("button", name="Preview").click()
    previews = page.locator("section.preview")
    assert previews.count() == 2
    assert "International Exchange" in previews.first.locator("pre.text").inner_text()
    page.get_by_label("card").uncheck()
    page.get_by_role("button", name="Post now").click()
    assert "queued to send now" in page.locator(".message").inner_text()
    started = time.monotonic()
    while not _posted(site, "International Exchange") and time.monotonic() - started < 10:
        time.sleep(0.1)
    assert _posted(site, "International Exchange")
    chosen = {d["target"] for d in site.deliveries() if d["article_url"].endswith("/article.htm")}
    assert chosen == {"box"}  # the unticked card target got nothing
    page.context.close()


def test_the_chinese_interface_shows_chinese_labels(browser: Any, site: Site) -> None:
    page = log_in(browser, site, "eddie", locale="zh-CN")
    nav = page.locator("nav")
    for label in ("概览", "待审", "文章", "日志", "发布"):
        assert nav.get_by_role("link", name=label).count() == 1
    page.goto(site.url + "/queue")
    assert page.get_by_role("button", name="批准").count() >= 1
    assert page.get_by_label("正文").count() >= 1
    page.context.close()


def test_times_are_shown_in_the_services_timezone(browser: Any, site: Site) -> None:
    page = log_in(browser, site, "vera")
    page.goto(site.url + "/log")
    first_time = page.locator("tbody tr td").nth(1).inner_text()
    assert first_time.endswith("CST")  # [service] timezone = "Asia/Shanghai"
    page.context.close()


def test_repeated_wrong_passwords_are_throttled(browser: Any, site: Site) -> None:
    context = browser.new_context()
    page = context.new_page()
    statuses = []
    for _ in range(6):
        answer = page.request.post(
            site.url + "/login", form={"username": "mallory", "password": "guess"}
        )
        statuses.append(answer.status)
    assert statuses[:5] == [401] * 5
    assert statuses[5] == 429
    context.close()
