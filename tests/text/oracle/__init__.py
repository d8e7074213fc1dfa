"""The reference counters (twitter-text 3.1.0, @atproto/api 0.21) as one Node process.

``oracle.mjs`` reads a JSON string per line and answers a JSON object per line, so
thousands of texts cost one process start. A thread writes while the caller reads:
neither pipe can fill up and block the other.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from tests.servers import SERVERS_DIR, NotInstalled

SCRIPT = Path(__file__).with_name("oracle.mjs")
MODULES = SERVERS_DIR / "text-oracle" / "node_modules"


class Oracle:
    """A long-lived ``node oracle.mjs``; ``ask`` answers texts in order."""

    def __init__(self) -> None:
        node = shutil.which("node")
        if node is None:
            raise NotInstalled("Node.js", "node on PATH")
        if not (MODULES / "twitter-text").is_dir() or not (MODULES / "@atproto" / "api").is_dir():
            raise NotInstalled("twitter-text and @atproto/api", MODULES)
        self.process = subprocess.Popen(
            [node, str(SCRIPT), str(MODULES)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="surrogatepass",
        )

    def ask(self, texts: Iterable[str]) -> Iterator[dict[str, Any]]:
        items = list(texts)
        proc = self.process
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout

        def write() -> None:
            for text in items:
                stdin.write(json.dumps(text) + "\n")
            stdin.flush()

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        for _ in items:
            line = stdout.readline()
            if not line:
                raise RuntimeError(f"the Node oracle stopped (exit {proc.poll()})")
            answer = json.loads(line)
            if "error" in answer:
                raise RuntimeError(f"the Node oracle failed: {answer['error']}")
            yield answer
        writer.join()

    def one(self, text: str) -> dict[str, Any]:
        return next(iter(self.ask([text])))

    def close(self) -> None:
        if self.process.stdin is not None:
            self.process.stdin.close()
        self.process.wait(timeout=10)
