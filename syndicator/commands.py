"""What each CLI command does. Each ``cmd_*`` takes the parsed arguments and returns
the exit code; output for people goes to stdout, logs to stderr."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from syndicator.config import Config, load_config
from syndicator.engine import Engine
from syndicator.errors import ConfigError, PublishError, UsageError
from syndicator.models import Article

if TYPE_CHECKING:
    from syndicator.poll import Poller

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def _config(args: argparse.Namespace) -> Config:
    return load_config(args.config)


def _engine(args: argparse.Namespace) -> Engine:
    return Engine.open(_config(args))


def _chosen_targets(engine: Engine, names: list[str] | None) -> list[str]:
    if not names:
        return [name for name, bound in engine.targets.items() if bound.config.enabled]
    unknown = [n for n in names if n not in engine.targets]
    if unknown:
        raise UsageError(
            f"--to: no target named {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(engine.targets) or 'none'})"
        )
    return names


def cmd_check(args: argparse.Namespace) -> int:
    from syndicator.checks import diagnose, verify_online
    from syndicator.secrets import redact

    diagnosis = diagnose(args.config)
    try:
        for warning in diagnosis.warnings:
            print(f"warning: {warning}", file=sys.stderr)
        if diagnosis.problems:
            raise ConfigError(diagnosis.problems)
        config = diagnosis.config
        print(
            f"{config.path}: ok ({len(config.sources)} source(s), {len(config.targets)} target(s))"
        )
        if not args.online:
            return EXIT_OK
        results = verify_online(diagnosis.bound)
        verdict = {True: "online check ok", False: "online check FAILED", None: "skipped"}
        for result in results:
            print(f"  {result.target}: {verdict[result.ok]}: {redact(result.detail)}")
        return EXIT_FAILURE if any(result.ok is False for result in results) else EXIT_OK
    finally:
        for bound in diagnosis.bound.values():
            bound.close()


def cmd_poll(args: argparse.Namespace) -> int:
    from syndicator.poll import poll
    from syndicator.poll_view import poll_summary_line
    from syndicator.store.queue import planned_since

    with _poll_round(_config(args)) as poller:
        on_new = None
        if args.print_new:
            out = sys.stdout

            def on_new(article: Article) -> None:
                title = " ".join(article.title.split())
                out.write(f"{article.url}\t{title}\n")

        started = poller.clock.now()
        summary = poll(poller, force=args.all, on_new=on_new)
        with poller.store.read() as connection:
            planned = planned_since(connection, started) if summary.new_articles else None
        sent = None
        if not args.no_send and _may_send(poller):
            from syndicator.delivery import drain

            sent = drain(poller.engine())
        if args.print_new:
            sys.stdout.flush()
        lines = [poll_summary_line(summary, planned, sent)]
        if sent is not None:
            lines.extend(f"  {target} waits: {why}" for target, why in sent.waiting.items())
        lines.extend(
            f"  source {name!r} has failed for days: fix or disable it" for name in summary.dead
        )
        print("\n".join(lines), file=sys.stderr if args.print_new else sys.stdout)
        return EXIT_FAILURE if summary.failed and not summary.polled else EXIT_OK


@contextmanager
def _poll_round(config: Config) -> Iterator[Poller]:
    """A ``Poller`` for one CLI round: the post log opened at once, the full Engine
    (bound targets, adapters) opened on the same store only when planning or sending
    needs it, so a round with nothing to post never loads the adapters."""
    from syndicator.clock import SystemClock
    from syndicator.poll import Poller
    from syndicator.sources.fetch import make_session
    from syndicator.store import Store

    store = Store(config.store_url())
    opened: list[Engine] = []

    def engine() -> Engine:
        if not opened:
            opened.append(Engine.open(config, store=store))
        return opened[0]

    session = make_session(config.fetch.user_agent, allow_private=config.fetch.allow_private)
    try:
        yield Poller(config, store, SystemClock(), session, engine)
    finally:
        session.close()
        if opened:
            opened[0].close()
        else:
            store.close()


def _may_send(poller: Poller) -> bool:
    """Whether draining could send anything: an enabled target and a queued delivery."""
    from syndicator.store.queue import has_waiting

    if not any(target.enabled for target in poller.config.targets):
        return False
    with poller.store.read() as connection:
        return has_waiting(connection)


def cmd_run(args: argparse.Namespace) -> int:
    import asyncio

    from syndicator.runtime import serve

    engine = Engine.open(_config(args))
    lock = engine.store.run_lock()
    lock.acquire()
    try:
        asyncio.run(serve(engine))
        return EXIT_OK
    finally:
        lock.release()
        engine.close()


def cmd_post(args: argparse.Namespace) -> int:
    from syndicator.manual import fetch_article, post_now

    engine = _engine(args)
    try:
        targets = _chosen_targets(engine, args.to)
        article = engine.with_lead_image(fetch_article(engine, args.url))
        outcomes = post_now(engine, article, targets, again=args.again)
        for outcome in outcomes:
            print(f"{outcome.target}: {outcome.detail}")
        return EXIT_OK if all(outcome.ok for outcome in outcomes) else EXIT_FAILURE
    finally:
        engine.close()


def cmd_preview(args: argparse.Namespace) -> int:
    from syndicator.manual import fetch_article, preview

    engine = _engine(args)
    try:
        targets = _chosen_targets(engine, args.to)
        article = fetch_article(engine, args.url)
        # The media are always written, so the preview lists exactly what would be
        # attached: into --out, else into a temporary folder that is named below.
        out_dir = Path(args.out) if args.out else _preview_folder()
        article = engine.with_lead_image(article, engine.media_dir / "preview")
        results = preview(engine, article, targets, out_dir)
        if args.json:
            _write_utf8(json.dumps(results, ensure_ascii=False, indent=2) + "\n")
        else:
            print(f"{article.title}\n{article.url}\n")
            if not args.out:
                print(f"media written to {out_dir} (a temporary folder; --out DIR keeps them)\n")
            for item in results:
                print(f"── {item['target']} ({item['adapter']})")
                if "error" in item:
                    print(f"   cannot render: {item['error']}\n")
                    continue
                print(f"   {item['length']}/{item['limit']} by rule {item['rule']!r}")
                for line in str(item["text"]).splitlines():
                    print(f"   │ {line}")
                for media in item["media"]:  # type: ignore[attr-defined]
                    print(f"   media: {media}")
                print()
        return EXIT_FAILURE if any("error" in r for r in results) else EXIT_OK
    finally:
        engine.close()


def _preview_folder() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="syndicator-preview-"))


def _write_utf8(text: str) -> None:
    """JSON for programs: UTF-8 whatever the terminal's locale, Chinese unescaped."""
    stream = getattr(sys.stdout, "buffer", None)
    if stream is None:
        sys.stdout.write(text)
        return
    sys.stdout.flush()
    stream.write(text.encode("utf-8"))
    stream.flush()


def cmd_log(args: argparse.Namespace) -> int:
    from syndicator.log_view import print_log

    engine = _engine(args)
    try:
        return print_log(engine, args)
    finally:
        engine.close()


def cmd_status(args: argparse.Namespace) -> int:
    from syndicator.outlook import status
    from syndicator.status_view import print_status

    engine = _engine(args)
    try:
        return print_status(status(engine), as_json=args.json)
    finally:
        engine.close()


def cmd_why(args: argparse.Namespace) -> int:
    from syndicator.explain import print_why

    engine = _engine(args)
    try:
        return print_why(engine, args.url, as_json=args.json)
    finally:
        engine.close()


def cmd_retry(args: argparse.Namespace) -> int:
    from syndicator.explain import operator_action

    return operator_action(_engine(args), args.ids, "retry")


def cmd_approve(args: argparse.Namespace) -> int:
    from syndicator.explain import operator_action

    return operator_action(_engine(args), args.ids, "approve")


def cmd_reject(args: argparse.Namespace) -> int:
    from syndicator.explain import operator_action

    return operator_action(_engine(args), args.ids, "reject")


def cmd_resolve(args: argparse.Namespace) -> int:
    from syndicator.explain import resolve_unknown

    return resolve_unknown(_engine(args), args.id, sent_url=args.sent)


def cmd_init(args: argparse.Namespace) -> int:
    from importlib.resources import files

    folder = Path(args.dir)
    path = folder / "syndicator.toml"
    if path.exists() and not args.force:
        print(f"{path} exists; use --force to overwrite", file=sys.stderr)
        return EXIT_FAILURE
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(
        files("syndicator").joinpath("starter.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    print(f"wrote {path}; edit it, then run: syndicator -c {shlex.quote(str(path))} check")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    from syndicator.demo.run import run_demo

    return run_demo(
        work_dir=Path(args.dir) if args.dir else None, timeout=args.timeout, keep=args.keep
    )


__all__ = ["PublishError"]


def cmd_web(args: argparse.Namespace) -> int:
    from syndicator.web.serve import run_dashboard

    engine = _engine(args)
    try:
        return run_dashboard(engine, args.listen or engine.config.web.listen)
    finally:
        engine.close()


def cmd_user(args: argparse.Namespace) -> int:
    from syndicator.web.user_admin import manage_users

    engine = _engine(args)
    try:
        return manage_users(engine, args, stdin=sys.stdin)
    finally:
        engine.close()
