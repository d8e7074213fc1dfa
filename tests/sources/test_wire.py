"""The HTTP/1.x response reader: status line, headers, body framing, bounds.

Bytes are written to one end of a real socket pair and read by ``Wire`` at the other,
so what is tested is exactly what a server could send (RFC 9112 section 6.3 for the
framing).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from syndicator.sources.wire import (
    CHUNKED,
    UNTIL_CLOSE,
    Closed,
    DeadlineExceeded,
    ProtocolError,
    Wire,
    iter_body,
    read_head,
)


@pytest.fixture(params=[False, True], ids=["python-timeouts", "kernel-timeouts"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[socket.socket, Wire]]:
    """Both ways a wire bounds its waits: Python's socket timeouts (TLS) and the
    kernel's SO_RCVTIMEO on a blocking socket (plain TCP on Linux)."""
    server, client = socket.socketpair()
    client.settimeout(5.0)
    wire = Wire(client, kernel_timeouts=request.param)
    wire.arm(5.0, time.monotonic() + 5.0)
    yield server, wire
    server.close()
    wire.close()


def _answer(server: socket.socket, data: bytes, *, close: bool = False) -> None:
    server.sendall(data)
    if close:
        server.shutdown(socket.SHUT_WR)


def test_status_and_headers_are_parsed_with_lower_case_names(
    pair: tuple[socket.socket, Wire],
) -> None:
    server, wire = pair
    _answer(server, b'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nCache-Control: max-age=60\r\n\r\n')
    head = read_head(wire)
    assert (head.version, head.status, head.reason) == ("HTTP/1.1", 304, "Not Modified")
    assert head.headers == {"etag": '"v1"', "cache-control": "max-age=60"}
    assert head.length == 0 and head.keep_alive


def test_repeated_headers_are_joined_and_folded_lines_unfolded(
    pair: tuple[socket.socket, Wire],
) -> None:
    server, wire = pair
    _answer(
        server,
        b"HTTP/1.1 200 OK\r\nCache-Control: no-transform\r\nContent-Type: text/html;\r\n"
        b"\tcharset=GBK\r\ncache-control: max-age=300\r\nContent-Length: 0\r\n\r\n",
    )
    head = read_head(wire)
    assert head.headers["cache-control"] == "no-transform, max-age=300"
    assert head.headers["content-type"] == "text/html; charset=GBK"


def test_bare_line_feeds_and_a_reason_less_status_line_are_accepted(
    pair: tuple[socket.socket, Wire],
) -> None:
    server, wire = pair
    _answer(server, b"\r\nHTTP/1.1 200\nContent-Length: 2\n\nok")
    head = read_head(wire)
    assert (head.status, head.reason, head.length) == (200, "", 2)
    assert b"".join(iter_body(wire, head)) == b"ok"


def test_a_head_split_over_many_packets_is_reassembled(pair: tuple[socket.socket, Wire]) -> None:
    server, wire = pair
    response = b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Long: " + b"a" * 3000 + b"\r\n\r\nhello"

    def dribble() -> None:
        for i in range(0, len(response), 7):
            server.sendall(response[i : i + 7])

    threading.Thread(target=dribble, daemon=True).start()
    head = read_head(wire)
    assert head.headers["x-long"] == "a" * 3000
    assert b"".join(iter_body(wire, head)) == b"hello"


def test_chunked_body_with_extensions_and_trailers_leaves_the_next_response_intact(
    pair: tuple[socket.socket, Wire],
) -> None:
    server, wire = pair
    second = b", world and more bytes here" * 10
    _answer(
        server,
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;name=value\r\nhello\r\n%x\r\n%s\r\n0\r\nX-Trailer: t\r\n\r\n"
        b"HTTP/1.1 304 Not Modified\r\n\r\n" % (len(second), second),
    )
    head = read_head(wire)
    assert head.length == CHUNKED and head.keep_alive
    assert b"".join(iter_body(wire, head)) == b"hello" + second
    assert read_head(wire).status == 304


@pytest.mark.parametrize(
    "body",
    [b"zz\r\nhello\r\n0\r\n\r\n", b"0x5\r\nhello\r\n0\r\n\r\n", b"5\r\nhello!!\r\n0\r\n\r\n"],
    ids=["not-hex", "0x-prefix", "longer-than-declared"],
)
def test_a_broken_chunked_body_is_a_protocol_error(
    pair: tuple[socket.socket, Wire], body: bytes
) -> None:
    server, wire = pair
    _answer(server, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
    head = read_head(wire)
    with pytest.raises(ProtocolError, match="chunk"):
        b"".join(iter_body(wire, head))


def test_http_1_0_without_length_reads_to_close_and_is_not_kept(
    pair: tuple[socket.socket, Wire],
) -> None:
    server, wire = pair
    _answer(server, b"HTTP/1.0 200 OK\r\nContent-Type: text/xml\r\n\r\n<rss/>", close=True)
    head = read_head(wire)
    assert head.length == UNTIL_CLOSE and not head.keep_alive
    assert b"".join(iter_body(wire, head)) == b"<rss/>"


def test_keep_alive_follows_the_version_and_the_connection_header(
    pair: tuple[socket.socket, Wire],
) -> None:
    server, wire = pair
    _answer(
        server,
        b"HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"
        b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"
        b"HTTP/1.0 304 Not Modified\r\n\r\n",
    )
    assert [read_head(wire).keep_alive for _ in range(3)] == [True, False, False]


def test_interim_100_continue_is_skipped(pair: tuple[socket.socket, Wire]) -> None:
    server, wire = pair
    _answer(server, b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")
    assert read_head(wire).status == 204


@pytest.mark.parametrize(
    "response",
    [
        b"SSH-2.0-OpenSSH_9.2\r\n",
        b"HTTP/1.1 2OO OK\r\n\r\n",
        b"HTTP/1.1 099 Early\r\n\r\n",
        b"HTTP/2 200\r\n\r\n",
        b"<html>hello</html>\r\n\r\n",
        b"HTTP/1.1 \xb2\xb3\xb9 OK\r\n\r\n",
    ],
    ids=["ssh", "letters", "below-100", "http2", "http09-body", "superscript-digits"],
)
def test_garbage_status_lines_are_refused(
    pair: tuple[socket.socket, Wire], response: bytes
) -> None:
    server, wire = pair
    _answer(server, response)
    with pytest.raises(ProtocolError, match="malformed status line"):
        read_head(wire)


@pytest.mark.parametrize(
    "length", [b"12, 13", b"-1", b"ten"], ids=["conflicting", "negative", "words"]
)
def test_invalid_content_length_is_refused(pair: tuple[socket.socket, Wire], length: bytes) -> None:
    server, wire = pair
    _answer(server, b"HTTP/1.1 200 OK\r\nContent-Length: " + length + b"\r\n\r\n")
    with pytest.raises(ProtocolError, match="Content-Length"):
        read_head(wire)


def test_close_before_any_byte_is_reported_as_closed(pair: tuple[socket.socket, Wire]) -> None:
    server, wire = pair
    server.shutdown(socket.SHUT_WR)
    with pytest.raises(Closed):
        read_head(wire)


def test_close_inside_the_head_or_body_is_a_protocol_error(
    pair: tuple[socket.socket, Wire],
) -> None:
    server, wire = pair
    _answer(server, b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", close=True)
    head = read_head(wire)
    with pytest.raises(ProtocolError, match="7 bytes before the end"):
        b"".join(iter_body(wire, head))


def test_an_endless_head_is_refused_at_its_cap(pair: tuple[socket.socket, Wire]) -> None:
    server, wire = pair

    def flood() -> None:
        server.sendall(b"HTTP/1.1 200 OK\r\n")
        try:
            for _ in range(100):
                server.sendall(b"X-Filler: " + b"b" * 1000 + b"\r\n")
        except OSError:
            pass  # the client gave up, as it should

    threading.Thread(target=flood, daemon=True).start()
    with pytest.raises(ProtocolError, match="longer than"):
        read_head(wire)


def test_the_overall_deadline_cuts_a_head_that_drips(pair: tuple[socket.socket, Wire]) -> None:
    server, wire = pair
    wire.arm(5.0, time.monotonic() + 0.5)
    stop = threading.Event()

    def drip() -> None:
        server.sendall(b"HTTP/1.1 200 OK\r\n")
        while not stop.wait(0.05):
            try:
                server.sendall(b"X: y\r\n")
            except OSError:
                return

    threading.Thread(target=drip, daemon=True).start()
    try:
        with pytest.raises(DeadlineExceeded):
            read_head(wire)
    finally:
        stop.set()


def test_a_silent_server_hits_the_per_operation_timeout(pair: tuple[socket.socket, Wire]) -> None:
    _, wire = pair
    wire.arm(0.2, time.monotonic() + 30.0)
    with pytest.raises(TimeoutError) as caught:
        read_head(wire)
    assert not isinstance(caught.value, DeadlineExceeded)
