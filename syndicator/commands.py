"""What each CLI command does. Each ``cmd_*`` takes the parsed arguments and returns
the exit code; output for people goes to stdout, logs to stderr."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from syndicator.config import Config, load_config
from syndicator.engine import Engine
from syndicator.errors import ConfigError, PublishError, SyndicatorError
from syndicator.models import Article

if TYPE_CHECKING:
    from syndicator.polling import Poller

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
        raise ConfigError(
            f"--to: no target named {', '.join(map(repr, unknown))} "
            f"(known: {', '.join(engine.targets) or 'none'})"
        )
    return names


def cmd_check(args: argparse.Namespace) -> int:
    from syndicator.targets import bind_targets, missing_secrets

    config = _config(args)
    bound = bind_targets(config)
    problems: list[str] = []
    sources = {s.name: s.url for s in config.sources}
    for index, target in enumerate(bound.values()):
        chosen = {n: u for n, u in sources.items() if n in target.target.sources}
        for problem in target.adapter.validate(chosen):
            problems.append(f"{config.path}: targets[{index}]: {problem}")
    if problems:
        raise ConfigError(problems)
    print(f"{config.path}: ok ({len(config.sources)} source(s), {len(bound)} target(s))")
    failed = False
    for name, target in bound.items():
        missing = missing_secrets(target)
        if missing:
            print(f"  {name}: warning: secrets not configured: {', '.join(missing)}")
        if args.online:
            try:
                detail = target.adapter.verify()
                print(f"  {name}: online check ok: {detail}")
            except NotImplementedError:
                print(f"  {name}: no online check for adapter {target.config.adapter!r}")
            except (SyndicatorError, OSError) as exc:
                failed = True
                print(f"  {name}: online check FAILED: {exc}")
    return EXIT_FAILURE if failed else EXIT_OK


def cmd_poll(args: argparse.Namespace) -> int:
    from syndicator.polling import poll

    with _poll_round(_config(args)) as poller:
        on_new = None
        if args.print_new:
            out = sys.stdout

            def on_new(article: Article) -> None:
                title = " ".join(article.title.split())
                out.write(f"{article.url}\t{title}\n")

        summary = poll(poller, force=args.all, on_new=on_new)
        sent = None
        if not args.no_send and _may_send(poller):
            from syndicator.delivery import drain

            sent = drain(poller.engine())
        if args.print_new:
            sys.stdout.flush()
        line = (
            f"polled {summary.polled + summary.failed} source(s): {summary.not_modified} unchanged, "
            f"{summary.failed} failed, {summary.new_articles} new article(s), "
            f"{summary.deliveries} delivery(ies) planned"
        )
        if sent is not None:
            line += f"; sent {sent.sent}, retrying {sent.retried}, failed {sent.failed}"
            for target, why in sent.waiting.items():
                line += f"\n  {target} waits: {why}"
        for name in summary.dead:
            line += f"\n  source {name!r} has failed for days: fix or disable it"
        print(line, file=sys.stderr if args.print_new else sys.stdout)
        return EXIT_FAILURE if summary.failed and not summary.polled else EXIT_OK


@contextmanager
def _poll_round(config: Config) -> Iterator[Poller]:
    """A ``Poller`` for one CLI round: the store through plain SQL when it is a SQLite
    file, and the full Engine (SQLAlchemy, adapters) opened only when planning or
    sending needs it, so a round with nothing to post never loads them."""
    from syndicator.clock import SystemClock
    from syndicator.polling import Poller
    from syndicator.sources.fetch import make_session
    from syndicator.store.sql import open_sqlite

    opened: list[Engine] = []

    def engine() -> Engine:
        if not opened:
            opened.append(Engine.open(config))
        return opened[0]

    plain = open_sqlite(config.store_url())
    session = make_session(config.fetch.user_agent)
    try:
        store = plain if plain is not None else engine().store
        yield Poller(config, store, SystemClock(), session, engine)
    finally:
        session.close()
        if plain is not None:
            plain.close()
        if opened:
            opened[0].close()


def _may_send(poller: Poller) -> bool:
    """Whether draining could send anything: an enabled target and a queued delivery."""
    from syndicator.store.queue import has_waiting

    if not any(target.enabled for target in poller.config.targets):
        return False
    with poller.store.read() as connection:
        return has_waiting(connection)


def cmd_run(args: argparse.Namespace) -> int:
    from syndicator.service import Service, install_signal_handlers

    config = _config(args)
    engine = Engine.open(config)
    lock = engine.store.run_lock()
    lock.acquire()
    try:
        service = Service(engine, config_path=config.path)
        install_signal_handlers(service)
        if config.service.http:
            from syndicator.health import start_health_server

            start_health_server(service, config.service.http)
        dashboard = None
        if config.web.listen:
            from syndicator.web.serve import Dashboard

            dashboard = Dashboard(engine, config.web.listen)
            dashboard.start()
        service.start()
        service.wait()
        if dashboard is not None:
            dashboard.stop()
        return EXIT_OK
    finally:
        lock.release()
        engine.close()


def _fetch_article(engine: Engine, url: str) -> Article:
    from syndicator.manual import fetch_article

    return fetch_article(engine, url)


def cmd_post(args: argparse.Namespace) -> int:
    from syndicator.delivery import DrainSummary, publish_claimed
    from syndicator.models import DeliveryState
    from syndicator.store import articles as article_store
    from syndicator.store import deliveries as delivery_store

    engine = _engine(args)
    try:
        targets = _chosen_targets(engine, args.to)
        article = _fetch_article(engine, args.url)
        article = engine.with_lead_image(article)
        with engine.store.begin() as connection:
            [recorded] = article_store.record_articles(
                connection, [article], now=engine.clock.now()
            )
        status = EXIT_OK
        for name in targets:
            with engine.store.begin() as connection:
                earlier = [
                    d
                    for d in delivery_store.for_article(connection, recorded.id)
                    if d.target == name
                ]
                seq = delivery_store.next_seq(connection, recorded.id, name)
            if any(d.state is DeliveryState.SENT for d in earlier) and not args.again:
                print(
                    f"{name}: already delivered ({earlier[-1].remote_url}); use --again to send it once more"
                )
                status = EXIT_FAILURE
                continue
            pending = [
                d
                for d in earlier
                if d.state in (DeliveryState.PENDING, DeliveryState.RETRY, DeliveryState.HELD)
            ]
            if pending and not args.again:
                delivery_id = pending[0].id
            else:
                delivery_id = _manual_delivery(
                    engine, recorded.id, article, name, seq if earlier else 0
                )
            with engine.store.begin() as connection:
                row = delivery_store.get(connection, delivery_id)
                assert row is not None
                if row.state is DeliveryState.HELD:
                    delivery_store.transition(
                        connection,
                        row.id,
                        to=DeliveryState.PENDING,
                        now=engine.clock.now(),
                        due_at=engine.clock.now(),
                        event="approved by manual post",
                    )
                if row.state in (DeliveryState.FAILED, DeliveryState.SKIPPED):
                    print(f"{name}: not sent: {row.error or row.reason}")
                    status = EXIT_FAILURE
                    continue
                claimed = delivery_store.claim(
                    connection, row.id, holder=engine.holder, now=engine.clock.now()
                )
            if not claimed:
                print(f"{name}: delivery {row.id} is being sent by another process")
                continue
            summary = DrainSummary()
            publish_claimed(engine, engine.targets[name], row, summary)
            with engine.store.begin() as connection:
                done = delivery_store.get(connection, row.id)
            assert done is not None
            if done.state is DeliveryState.SENT:
                print(f"{name}: sent {done.remote_url or done.remote_id}")
            else:
                print(f"{name}: {done.state.value}: {done.error or done.reason}")
                status = EXIT_FAILURE
        return status
    finally:
        engine.close()


def _manual_delivery(engine: Engine, article_id: int, article: Article, name: str, seq: int) -> int:
    """A person asked for this post: render it and queue it now, past filters and age."""
    from syndicator.errors import RenderError
    from syndicator.models import DeliveryState
    from syndicator.rendering import render_post
    from syndicator.store import deliveries as delivery_store

    now = engine.clock.now()
    try:
        post = render_post(engine.targets[name], article, media_dir=engine.media_dir)
    except RenderError as exc:
        with engine.store.begin() as connection:
            return delivery_store.create(
                connection,
                article_id=article_id,
                target=name,
                state=DeliveryState.FAILED,
                now=now,
                reason="render failed",
                error=str(exc),
                seq=seq,
            )
    with engine.store.begin() as connection:
        return delivery_store.create(
            connection,
            article_id=article_id,
            target=name,
            state=DeliveryState.PENDING,
            now=now,
            due_at=now,
            post=post,
            seq=seq,
            reason="posted by hand",
        )


def cmd_preview(args: argparse.Namespace) -> int:
    from syndicator.errors import RenderError
    from syndicator.rendering import render_post

    engine = _engine(args)
    try:
        targets = _chosen_targets(engine, args.to)
        article = _fetch_article(engine, args.url)
        out_dir = Path(args.out) if args.out else None
        media_dir = out_dir or (engine.media_dir / "preview")
        article = engine.with_lead_image(article, media_dir)
        results: list[dict[str, object]] = []
        for name in targets:
            bound = engine.targets[name]
            try:
                post = render_post(bound, article, media_dir=out_dir)
            except RenderError as exc:
                results.append({"target": name, "adapter": bound.config.adapter, "error": str(exc)})
                continue
            results.append(
                {
                    "target": name,
                    "adapter": bound.config.adapter,
                    "rule": post.rule,
                    "text": post.text,
                    "length": post.length,
                    "limit": post.limit,
                    "media": [str(m.path) for m in post.media if m.path],
                }
            )
        if args.json:
            print(json.dumps(results, ensure_ascii=False, indent=2))
        else:
            print(f"{article.title}\n{article.url}\n")
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


def cmd_log(args: argparse.Namespace) -> int:
    from syndicator.explain import print_log

    engine = _engine(args)
    try:
        return print_log(engine, args)
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
    print(f"wrote {path}; edit it, then run: syndicator -c {path} check")
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
