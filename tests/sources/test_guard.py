"""The fetch guard's policy: which URLs and addresses a fetch may reach."""

from __future__ import annotations

import pytest

from syndicator.sources.guard import (
    FetchGuard,
    FetchRefused,
    address_refusal,
    host_of,
    host_refusal,
    parse_allow_list,
    scheme_refusal,
)


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "gopher://127.0.0.1:6379/_FLUSHALL",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.org/x",
        "//example.org/no-scheme",
        "news.example.org/relative",
    ],
)
def test_only_http_and_https_urls_pass_the_scheme_check(url):
    assert scheme_refusal(url) is not None
    assert FetchGuard().url_refusal(url) is not None


def test_http_and_https_in_any_case_pass_the_scheme_check():
    assert scheme_refusal("https://example.org/") is None
    assert scheme_refusal("HTTP://example.org/") is None


@pytest.mark.parametrize(
    "host",
    ["2130706433", "0x7f000001", "0x7f.0.0.1", "0177.0.0.1", "127.1", "127.0.1", "017700000001"],
)
def test_ipv4_addresses_in_other_spellings_are_refused_for_their_spelling(host):
    reason = host_refusal(host)
    assert reason is not None and "non-standard spelling" in reason
    with pytest.raises(FetchRefused, match="non-standard spelling"):
        FetchGuard().check_url(f"http://{host}:8080/secret")


def test_full_width_digits_are_the_address_they_encode_to():
    assert host_of("http://１２７.０.０.１/x") == "127.0.0.1"
    assert "loopback" in (FetchGuard().url_refusal("http://１２７.０.０.１/x") or "")


def test_a_percent_encoded_host_is_refused():
    assert host_refusal(host_of("http://%31%32%37.0.0.1/")) is not None


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.0.0.2", "loopback"),
        ("::1", "loopback"),
        ("0.0.0.0", "unspecified"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link-local"),
        ("fe80::1", "link-local"),
        ("fd12:3456::1", "unique-local"),
        ("fec0::1", "site-local"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("100.64.0.1", "shared"),
        ("240.0.0.1", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::127.0.0.1", "loopback"),
        ("64:ff9b::a00:1", "private"),
        ("2002:7f00:1::1", "loopback"),
    ],
)
def test_special_addresses_are_refused_with_their_kind(address, kind):
    reason = address_refusal(address)
    assert reason is not None and kind in reason


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address):
    assert address_refusal(address) is None


def test_the_allow_list_lets_its_networks_through_also_in_mapped_form():
    allow = parse_allow_list(["10.0.0.0/8", "fd00::/8"])
    assert address_refusal("10.20.30.40", allow) is None
    assert address_refusal("::ffff:10.20.30.40", allow) is None
    assert address_refusal("fd00::5", allow) is None
    assert address_refusal("192.168.0.1", allow) is not None
    assert address_refusal("127.0.0.1", allow) is not None


def test_an_allow_list_entry_that_is_not_a_network_is_named():
    with pytest.raises(ValueError, match=r"'10\.0\.0\.1/8'"):
        parse_allow_list(["10.0.0.0/8", "10.0.0.1/8"])
    with pytest.raises(ValueError, match="'intranet'"):
        parse_allow_list(["intranet"])


def test_literal_addresses_in_urls_are_checked_and_the_own_host_is_exempt():
    guard = FetchGuard()
    assert "loopback" in (guard.url_refusal("http://[::1]:8080/") or "")
    assert "link-local" in (guard.url_refusal("http://169.254.169.254/latest/meta-data/") or "")
    assert guard.url_refusal("http://127.0.0.2:8080/feed", own_host="127.0.0.2") is None
    assert guard.url_refusal("http://127.0.0.1:8080/feed", own_host="127.0.0.2") is not None
    assert guard.url_refusal("https://news.example.edu.cn/c/1.htm") is None


def test_a_name_is_allowed_only_the_addresses_that_pass():
    guard = FetchGuard()
    assert guard.allowed("mixed.example", ["127.0.0.1", "93.184.216.34"], None) == ["93.184.216.34"]
    with pytest.raises(
        FetchRefused, match=r"intranet\.example resolves to 10\.0\.0\.5 is a private"
    ):
        guard.allowed("intranet.example", ["10.0.0.5"], None)
    assert guard.allowed("intranet.example", ["10.0.0.5"], "intranet.example") == ["10.0.0.5"]
