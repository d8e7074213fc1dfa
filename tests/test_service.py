"""The service's life: SIGHUP reloads the config (a bad one keeps the old one running
and says why), a second ``syndicator run`` on the same store refuses to start, and a
killed service's lock never blocks the next start. The service runs as a real
subprocess (``python -m syndicator run``) where signals are the point."""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.config import load_config
from syndicator.engine import Engine
from syndicator.service import Service
from tests.engine_helpers import OUTBOX_TARGETS, write_config
from tests.running_service import Running

THIRD_TARGET = '\n[[targets]]\nname = "box-c"\nadapter = "outbox"\npath = "outbox/c"\n'


def test_reload_swaps_in_a_good_config_and_refuses_a_bad_one(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_config(tmp_path, OUTBOX_TARGETS)
    service = Service(Engine.open(load_config(path)), config_path=path)
    try:
        path.write_text(path.read_text() + '\n[[targets]]\nname = "box-c"\nadapter = "outbx"\n')
        with caplog.at_level(logging.ERROR, logger="syndicator.service"):
            assert service.reload() is False
        assert "config reload refused, the old config stays in force" in caplog.text
        assert "unknown adapter 'outbx'" in caplog.text
        assert sorted(service.engine.targets) == ["box-a", "box-b"]

        path.write_text(path.read_text().replace('"outbx"', '"outbox"'))
        assert service.reload() is True
        assert sorted(service.engine.targets) == ["box-a", "box-b", "box-c"]
        assert service.stats.reloads == {"refused": 1, "ok": 1}
    finally:
        service.engine.close()


@pytest.fixture
def config(tmp_path: Path) -> Iterator[Path]:
    path = write_config(tmp_path, OUTBOX_TARGETS)
    path.write_text(path.read_text().replace('jitter = "0s"', 'jitter = "0s"\ndrain_every = "1s"'))
    yield path


def test_sighup_reloads_and_a_bad_config_keeps_the_service_running(config: Path) -> None:
    service = Running(config, config.parent / "run.log")
    try:
        service.wait_for("service running")
        good = config.read_text()
        config.write_text(good + "\n[[targets]]\nname = 42\n")
        service.process.send_signal(signal.SIGHUP)
        service.wait_for("config reload refused, the old config stays in force")
        assert service.process.poll() is None
        config.write_text(good + THIRD_TARGET)
        service.process.send_signal(signal.SIGHUP)
        service.wait_for("config reloaded from")
        assert "3 target(s)" in service.text().split("config reloaded from", 1)[1]
    finally:
        assert service.stop() == 0
    assert "service stopped" in service.text()


def test_a_second_run_refuses_and_a_killed_one_does_not_block_the_next(config: Path) -> None:
    first = Running(config, config.parent / "first.log")
    try:
        first.wait_for("service running")
        second = Running(config, config.parent / "second.log")
        assert second.process.wait(30) == 1
        assert "already running on this store" in second.text()
        assert first.process.poll() is None
    finally:
        first.stop(signal.SIGKILL)
    third = Running(config, config.parent / "third.log")
    try:
        third.wait_for("service running")
    finally:
        assert third.stop() == 0
