"""The opt-in HTTP endpoint: ``/healthz`` for a supervisor and Prometheus ``/metrics``
(polls, new articles, deliveries by state, errors by target, last success per source),
served on loopback only. A real service (scheduler, store, local platform) answers."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from syndicator.config import ServiceConfig, load_config
from syndicator.engine import Engine
from syndicator.health import health
from syndicator.service import Service
from tests.engine_helpers import write_config
from tests.platform import fixtures
from tests.platform.scenario import target
from tests.running_service import InProcess

platform = fixtures.platform
platform_adapters = fixtures.platform_adapters

FEED = """<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>
<item><title>Library wing opens</title><link>https://news.example.edu/c_1.htm</link></item>
<item><title>Solar car crosses the Gobi</title><link>https://news.example.edu/c_2.htm</link></item>
</channel></rss>"""


def _get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.headers["Content-Type"], answer.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read().decode()


def _samples(text: str) -> dict[str, float]:
    return {
        line.rsplit(" ", 1)[0]: float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line and not line.startswith("#")
    }


def test_healthz_and_metrics_report_the_running_service(
    tmp_path: Path, platform, http_server
) -> None:  # type: ignore[no-untyped-def]
    feed = http_server(lambda request: (200, {"Content-Type": "application/rss+xml"}, FEED))
    source = (
        f'[[sources]]\nname = "news"\nurl = "{feed.url}/feed.xml"\nkind = "feed"\n'
        'full_text = "never"\nfirst_run = "backfill:2"\nevery = "1h"\n'
    )
    path = write_config(tmp_path, source + target("t", platform.url) + target("u", platform.url))
    platform.script("u", (503, {}, {"error": "down for maintenance"}))
    service = Service(Engine.open(load_config(path)), config_path=path)
    with InProcess(service, health="127.0.0.1:0") as running:
        url = running.url
        # The service polls and sends in the background: wait for the round to settle.
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            status, content_type, text = _get(url + "/metrics")
            metrics = _samples(text)
            settled = {
                'syndicator_deliveries{target="t",state="sent"}': 2,
                'syndicator_deliveries{target="u",state="retry"}': 1,
                'syndicator_deliveries{target="u",state="sent"}': 1,
            }
            if all(metrics.get(name) == count for name, count in settled.items()):
                break
            time.sleep(0.1)
        assert status == 200 and content_type.startswith("text/plain; version=0.0.4")
        assert metrics['syndicator_polls_total{outcome="ok"}'] == 1
        assert metrics['syndicator_new_articles_total{source="news"}'] == 2
        assert metrics['syndicator_deliveries{target="t",state="sent"}'] == 2
        assert metrics['syndicator_deliveries{target="u",state="retry"}'] == 1
        assert metrics['syndicator_deliveries{target="u",state="sent"}'] == 1
        assert metrics['syndicator_delivery_errors_total{target="u"}'] == 1
        assert 'syndicator_delivery_errors_total{target="t"}' not in metrics
        assert metrics['syndicator_source_last_success_timestamp_seconds{source="news"}'] > 1.7e9
        assert "# TYPE syndicator_deliveries gauge" in text

        status, _, body = _get(url + "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        assert _get(url + "/nothing")[0] == 404
    service.engine.close()


def test_healthz_says_starting_then_ok_then_stopping(tmp_path: Path) -> None:
    path = write_config(tmp_path, "")
    service = Service(Engine.open(load_config(path)), config_path=path)
    try:
        assert health(service) == (False, _report(health(service), "starting"))
        service.stats.started = True
        service.stats.last_round_at = time.time()
        assert health(service)[0] is True
        service.stats.last_round_at = time.time() - 3600  # no drain round for an hour
        assert health(service)[1]["status"] == "stalled"
        service.stop()
        assert health(service)[1]["status"] == "stopping"
    finally:
        service.engine.close()


def _report(answer: tuple[bool, dict[str, object]], status: str) -> dict[str, object]:
    assert answer[1]["status"] == status
    return answer[1]


@pytest.mark.parametrize("address", ["0.0.0.0:9300", "192.168.1.10:9300", "9300", "localhost:x"])
def test_the_endpoint_listens_on_loopback_only(address: str) -> None:
    with pytest.raises(ValueError, match=r"loopback|HOST:PORT"):
        ServiceConfig(http=address)


def test_a_loopback_address_is_accepted() -> None:
    assert ServiceConfig(http="127.0.0.1:9300").http == "127.0.0.1:9300"
    assert ServiceConfig(http="[::1]:9300").http == "[::1]:9300"
