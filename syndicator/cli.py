"""The command line. Imports stay light here: ``syndicator --help`` must start fast, so
each command imports what it needs when it runs.

Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad config.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from syndicator import __version__

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="syndicator",
        description="Take a news site's new articles to every social platform its readers use.",
    )
    parser.add_argument("--version", action="version", version=f"syndicator {__version__}")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        help="config file (default: $SYNDICATOR_CONFIG or config/syndicator.toml)",
    )
    common.add_argument("-v", "--verbose", action="store_true", help="log debug details to stderr")
    common.add_argument("-q", "--quiet", action="store_true", help="log only warnings and errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    check = add("check", "validate the config; exit 0, or 2 listing every error")
    check.add_argument(
        "--online", action="store_true", help="also verify each target's credentials"
    )

    poll = add("poll", "run one round: poll due sources, create deliveries, send what is due")
    poll.add_argument("--all", action="store_true", help="poll every source now, due or not")
    poll.add_argument(
        "--print-new", action="store_true", help="print URL<TAB>title per new article"
    )
    poll.add_argument("--no-send", action="store_true", help="record and plan, but send nothing")

    add("run", "run the service (APScheduler) until SIGTERM or Ctrl-C")

    post = add("post", "fetch one article and deliver it now")
    post.add_argument("url")
    post.add_argument(
        "--to", action="append", metavar="TARGET", help="only this target (repeatable)"
    )
    post.add_argument("--again", action="store_true", help="deliver even if already delivered")

    preview = add("preview", "show what each target would get for an article, without sending")
    preview.add_argument("url")
    preview.add_argument("--to", action="append", metavar="TARGET")
    preview.add_argument("--out", metavar="DIR", help="write media (share cards) to DIR")
    preview.add_argument("--json", action="store_true")

    log_cmd = add("log", "list deliveries, newest first")
    log_cmd.add_argument("--json", action="store_true")
    log_cmd.add_argument("--target", metavar="T")
    log_cmd.add_argument("--limit", type=int, default=20, metavar="N")
    log_cmd.add_argument("--held", action="store_true", help="only deliveries held for approval")
    log_cmd.add_argument(
        "--state", action="append", metavar="STATE", help="only this state (repeatable)"
    )

    why = add("why", "explain, per target, what happened to an article and why")
    why.add_argument("url")
    why.add_argument("--json", action="store_true")

    for name, text in (
        ("retry", "re-queue failed or unknown deliveries"),
        ("approve", "release held deliveries"),
        ("reject", "drop held deliveries"),
    ):
        command = add(name, text)
        command.add_argument("ids", nargs="+", type=int, metavar="ID")

    resolve = add("resolve", "settle a delivery in state unknown")
    resolve.add_argument("id", type=int, metavar="ID")
    group = resolve.add_mutually_exclusive_group(required=True)
    group.add_argument("--sent", metavar="URL", help="it was posted, here")
    group.add_argument("--not-sent", action="store_true", help="it was not posted: send it again")

    init = sub.add_parser(
        "init",
        help="write a commented starter config",
        description="write a commented starter config",
    )
    init.add_argument(
        "dir", nargs="?", default="config", help="folder for syndicator.toml (default: config)"
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    demo = sub.add_parser(
        "demo",
        help="run the embedded default against a bundled sample news site",
        description="serve a bundled news site on 127.0.0.1 and syndicate it into an outbox",
    )
    demo.add_argument("--dir", metavar="DIR", help="work folder (default: a new temporary folder)")
    demo.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for delivery")
    return parser


def setup_logging(verbose: bool = False, quiet: bool = False) -> None:
    from syndicator.secrets import install_log_redaction

    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    logging.getLogger().setLevel(level)
    for noisy in ("urllib3", "apscheduler", "trafilatura", "htmldate"):
        logging.getLogger(noisy).setLevel(logging.WARNING if not verbose else logging.INFO)
    install_log_redaction()


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    setup_logging(getattr(args, "verbose", False), getattr(args, "quiet", False))
    from syndicator import commands
    from syndicator.errors import ConfigError, SyndicatorError
    from syndicator.secrets import redact

    handler = getattr(commands, "cmd_" + args.command.replace("-", "_"))
    try:
        return int(handler(args))
    except ConfigError as exc:
        print("configuration error:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {redact(problem)}", file=sys.stderr)
        return EXIT_USAGE
    except SyndicatorError as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE


if __name__ == "__main__":
    raise SystemExit(main())
