"""Not even a part of a secret reaches anything a user sees or the post log keeps.

A fake platform answers every call with a long error body holding every target's
secrets, at an offset that moves with each call (across the cuts the adapters make),
as plain text or in every JSON field. A real round through the command line (``poll``
sending to six adapters, ``log --json``, ``why --json``, ``check --online``) must show
no run of 8 characters of any secret on stdout or stderr, and the post log's file
must hold none either."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.demo.site import SampleSite
from tests.adapters.test_secrets_never_leak import assert_no_fragment
from tests.engine_helpers import list_source, write_config
from tests.servers.http import Request, Response, StubServer, serve
from tests.test_cli import run

TOKENS = {
    "TG_TOKEN": "555000111:TgE2eLeakTokenQwErTy0987",
    "X_KEY": "xE2eApiKeyZx81Lm",
    "X_SECRET": "xE2eApiSecretPq62Vb",
    "X_TOKEN": "1001-xE2eAccessTokenRt55",
    "X_TOKEN_SECRET": "xE2eAccessSecretWs73",
    "WEIBO_TOKEN": "2.00WeiboE2eTokenMn42Kj",
    "SIGNING_KEY": "webhookE2eSigningKeyHg19",
}
HOOK_PATHS = {
    "DISCORD_URL": "/api/webhooks/998877665544/DiscordE2eHookTokenYu81",
    "SLACK_URL": "/services/T0E2E/B0E2E/SlackE2eHookSecretOp64",
    "WEBHOOK_URL": "/hooks/GenericE2eHookPathIu27",
}
SECRET_PARTS = [*TOKENS.values(), *(path.split("/", 3)[-1] for path in HOOK_PATHS.values())]


@pytest.fixture
def platform() -> Iterator[StubServer]:
    group = " ".join([*TOKENS.values(), *HOOK_PATHS.values()])
    offsets = itertools.count(0, 17)
    lock = threading.Lock()

    def handler(request: Request) -> Response:
        with lock:
            offset = next(offsets) % 340
        echo = "#" * offset + group + "#" * (340 - offset)
        if offset % 2 == 0:
            return 500, {"Content-Type": "text/plain"}, echo
        fields = ("error", "description", "detail", "title", "message", "errmsg")
        body: dict[str, object] = dict.fromkeys(fields, echo)
        body["errors"] = [{"message": echo}]
        return 500, {}, json.dumps(body)

    with serve(handler) as stub:
        yield stub


def _targets(api: str) -> str:
    return f"""
[[targets]]
name = "tg"
adapter = "telegram"
chat_id = "@news"
base_url = "{api}"
[targets.secrets]
bot_token = "env:TG_TOKEN"

[[targets]]
name = "x"
adapter = "x"
base_url = "{api}"
[targets.secrets]
api_key = "env:X_KEY"
api_secret = "env:X_SECRET"
access_token = "env:X_TOKEN"
access_secret = "env:X_TOKEN_SECRET"

[[targets]]
name = "weibo"
adapter = "weibo"
safe_domain = "127.0.0.1"
rip = "203.0.113.7"
base_url = "{api}"
[targets.secrets]
access_token = "env:WEIBO_TOKEN"

[[targets]]
name = "discord"
adapter = "discord"
[targets.secrets]
url = "env:DISCORD_URL"

[[targets]]
name = "slack"
adapter = "slack"
[targets.secrets]
url = "env:SLACK_URL"

[[targets]]
name = "hook"
adapter = "webhook"
[targets.secrets]
url = "env:WEBHOOK_URL"
signing_key = "env:SIGNING_KEY"
"""


def test_no_part_of_any_secret_reaches_output_or_the_post_log(
    tmp_path: Path, platform: StubServer
) -> None:
    env = {**TOKENS, **{name: platform.url + path for name, path in HOOK_PATHS.items()}}
    with SampleSite() as site:
        config = write_config(
            tmp_path, list_source(site.url, first_run="backfill:3") + _targets(platform.url)
        )
        seen: list[str] = []
        polled = run("poll", "--all", "-v", "-c", str(config), env=env)
        seen += [polled.stdout, polled.stderr]
        urls = [site.url + article.path for article in site.articles]
    listed = run("log", "--json", "--limit", "100", "-c", str(config), env=env)
    entries = json.loads(listed.stdout)
    assert {e["target"] for e in entries if e["error"]} >= {"tg", "x", "discord", "slack", "hook"}
    assert len(platform.requests) >= 15  # every adapter published, and failed
    seen += [listed.stdout, listed.stderr]
    for url in urls:
        why = run("why", url, "--json", "-c", str(config), env=env)
        seen += [why.stdout, why.stderr]
    checked = run("check", "--online", "-c", str(config), env=env)
    assert "online check FAILED" in checked.stdout
    seen += [checked.stdout, checked.stderr]

    store = [p for p in (tmp_path / "var").glob("test.db*") if p.is_file()]
    assert store
    seen += [p.read_bytes().decode("latin-1") for p in store]
    assert_no_fragment(SECRET_PARTS, *seen)


def test_check_warns_about_a_secret_file_readable_by_others(tmp_path: Path) -> None:
    token = tmp_path / "telegram-token"
    token.write_text("555000111:TgFileTokenAb12Cd34\n")
    token.chmod(0o644)
    body = f"""
[[targets]]
name = "tg"
adapter = "telegram"
chat_id = "@news"
[targets.secrets]
bot_token = "file:{token}"
"""
    config = write_config(tmp_path, body)
    warned = run("check", "-c", str(config))
    assert warned.returncode == 0, warned.stderr
    warning = next(line for line in warned.stderr.splitlines() if "readable by other users" in line)
    assert "'tg'" in warning and "bot_token" in warning and str(token) in warning
    assert_no_fragment(["555000111:TgFileTokenAb12Cd34"], warned.stdout, warned.stderr)
    token.chmod(0o600)
    quiet = run("check", "-c", str(config))
    assert "readable by other users" not in quiet.stdout + quiet.stderr
