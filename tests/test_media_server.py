"""``[media] public_url`` and ``[media] serve``: the media folder published for platforms
that fetch images themselves, serving only the files the post log references."""

from __future__ import annotations

import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from syndicator.config import load_config
from syndicator.engine import Engine
from syndicator.errors import ConfigError
from syndicator.media_server import MediaServer
from syndicator.runtime import serve_media
from syndicator.store.codec import post_from_json
from tests.adapters.stubs import jpeg_file
from tests.engine_helpers import write_config
from tests.platform.scenario import SOURCE, article, queue, rows

PUBLIC = "https://news.example.edu/syndicator-media/"
INSTAGRAM = f"""
[media]
public_url = "{PUBLIC}"
serve = "127.0.0.1:0"

[[targets]]
name = "ig"
adapter = "instagram"
user_id = "17841400000000001"
[targets.secrets]
access_token = "env:IG_TOKEN"
"""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    opened = Engine.open(load_config(write_config(tmp_path, SOURCE + INSTAGRAM)))
    yield opened
    opened.close()


@pytest.fixture
def served(engine: Engine) -> Iterator[MediaServer]:
    server = serve_media(engine)
    yield server
    server.stop()


def get(url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=5) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def planned_media(engine: Engine, tmp_path: Path) -> Path:
    """Plan one article with a lead image for the Instagram target; the stored medium."""
    queue(engine, [article(1, image_path=jpeg_file(tmp_path, size=(640, 480)))])
    [delivery] = rows(engine, "ig")
    path = post_from_json(delivery.post).media[0].path
    assert path is not None and path.exists()
    return path


def test_a_file_the_post_log_references_is_served_under_its_content_hash_name(
    engine, served, tmp_path
):
    path = planned_media(engine, tmp_path)
    assert path.parent == engine.media_dir / "posts"
    status, headers, body = get(f"{served.url}/posts/{path.name}")
    assert status == 200 and body == path.read_bytes()
    assert headers["Content-Type"] == "image/jpeg" and "immutable" in headers["Cache-Control"]
    assert get(f"{served.url}/posts/{path.name}", "HEAD")[0] == 200


def test_the_adapter_is_given_the_public_url_of_the_stored_file(engine, tmp_path):
    path = planned_media(engine, tmp_path)
    [delivery] = rows(engine, "ig")
    public = engine.targets["ig"].target.public_media
    assert public is not None
    assert public.url_for(post_from_json(delivery.post).media[0]) == f"{PUBLIC}posts/{path.name}"


def test_files_the_post_log_does_not_reference_are_not_served(engine, served, tmp_path):
    path = planned_media(engine, tmp_path)
    stray = path.with_name("0" * 24 + ".jpg")
    stray.write_bytes(path.read_bytes())  # in the folder, named like a medium, not posted
    lead = next((engine.media_dir / "images").glob("*"), None)
    database = tmp_path / "var" / "test.db"
    assert database.exists()
    for probe in (
        f"posts/{stray.name}",
        "var/test.db",
        "../var/test.db",
        "posts/../../var/test.db",
        "posts/%2e%2e/%2e%2e/var/test.db",
        f"images/{lead.name}" if lead else "images/x.jpg",
        "posts/",
        "",
    ):
        status, _, body = get(f"{served.url}/{probe}")
        assert status == 404, probe
        assert body == b"not found\n"


def test_public_url_must_be_a_folder_url_and_serve_an_address(tmp_path):
    bad = INSTAGRAM.replace(PUBLIC, "https://news.example.edu/media").replace(
        '"127.0.0.1:0"', '"everywhere"'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(write_config(tmp_path, SOURCE + bad))
    text = str(caught.value)
    assert "media.public_url" in text and "ending in '/'" in text
    assert "media.serve" in text and "HOST:PORT" in text


def test_syndicator_run_publishes_the_media_folder_when_serve_is_set(tmp_path):
    """The service end to end: a delivery planned in the post log, then ``syndicator
    run`` serving its picture (Instagram itself is unreachable here: the post waits)."""
    import socket

    from tests.test_service import Running

    with socket.socket() as one, socket.socket() as two:  # held together: two ports
        one.bind(("127.0.0.1", 0))
        two.bind(("127.0.0.1", 0))
        port, closed = one.getsockname()[1], two.getsockname()[1]  # media; nothing
    body = INSTAGRAM.replace('"127.0.0.1:0"', f'"127.0.0.1:{port}"').replace(
        'user_id = "17841400000000001"\n',
        f'user_id = "17841400000000001"\nbase_url = "http://127.0.0.1:{closed}"\n',
    )
    path = write_config(tmp_path, SOURCE + body)
    engine = Engine.open(load_config(path))
    try:
        stored = planned_media(engine, tmp_path)
    finally:
        engine.close()
    service = Running(path, tmp_path / "run.log")
    try:
        service.wait_for("media folder")
        status, _, data = get(f"http://127.0.0.1:{port}/posts/{stored.name}")
        assert status == 200 and data == stored.read_bytes()
        assert get(f"http://127.0.0.1:{port}/var/test.db")[0] == 404
    finally:
        assert service.stop() == 0
