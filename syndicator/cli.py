"""The command line. Imports stay light here: ``syndicator --help`` must start fast, so
each command imports what it needs when it runs.

Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad config.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from syndicator import __version__

EXIT_OK, EXIT_FAILURE, EXIT_USAGE = 0, 1, 2


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, just that command (``main`` passes
    the one given: a poll need not build the other thirteen). An unknown ``only``
    builds everything, so argparse can list the choices.

    ``-c``, ``-v`` and ``-q`` are accepted before and after the command
    (``syndicator -c FILE check`` and ``syndicator check -c FILE``): the main parser
    and every command declare them, the command's copy leaving a value given
    before the command alone unless it is given again after."""
    parser = argparse.ArgumentParser(
        prog="syndicator",
        description="Take a news site's new articles to every social platform its readers use.",
    )
    parser.add_argument("--version", action="version", version=f"syndicator {__version__}")
    _global_options(parser, default=None)
    common = argparse.ArgumentParser(add_help=False)
    _global_options(common, default=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    chosen = {only} if only in _COMMANDS else set(_COMMANDS)
    for name, (help_text, arguments) in _COMMANDS.items():
        if name in chosen:
            description = _DESCRIPTIONS.get(name, help_text)
            command = sub.add_parser(
                name, help=help_text, description=description, parents=[common]
            )
            arguments(command)
    return parser


def _global_options(parser: argparse.ArgumentParser, *, default: object) -> None:
    """``-c``, ``-v``, ``-q``; ``default`` is ``argparse.SUPPRESS`` on the commands' copy."""
    parser.add_argument(
        "-c",
        "--config",
        metavar="FILE",
        default=default,
        help="config file (default: $SYNDICATOR_CONFIG or config/syndicator.toml)",
    )
    flag = False if default is None else default
    parser.add_argument(
        "-v", "--verbose", action="store_true", default=flag, help="log debug details to stderr"
    )
    parser.add_argument(
        "-q", "--quiet", action="store_true", default=flag, help="log only warnings and errors"
    )


def command_name(argv: Sequence[str]) -> str | None:
    """The command word of ``argv``: the first word that is neither an option nor
    the value of ``-c``/``--config``."""
    skip = False
    for word in argv:
        if skip:
            skip = False
        elif word in ("-c", "--config"):
            skip = True
        elif not word.startswith("-"):
            return word
    return None


def _check(check: argparse.ArgumentParser) -> None:
    check.add_argument(
        "--online", action="store_true", help="also verify each target's credentials"
    )


def _poll(poll: argparse.ArgumentParser) -> None:
    poll.add_argument("--all", action="store_true", help="poll every source now, due or not")
    poll.add_argument(
        "--print-new", action="store_true", help="print URL<TAB>title per new article"
    )
    poll.add_argument("--no-send", action="store_true", help="record and plan, but send nothing")


def _nothing(command: argparse.ArgumentParser) -> None:
    return None


def _post(post: argparse.ArgumentParser) -> None:
    post.add_argument("url")
    post.add_argument(
        "--to", action="append", metavar="TARGET", help="only this target (repeatable)"
    )
    post.add_argument("--again", action="store_true", help="deliver even if already delivered")


def _preview(preview: argparse.ArgumentParser) -> None:
    preview.add_argument("url")
    preview.add_argument("--to", action="append", metavar="TARGET")
    preview.add_argument("--out", metavar="DIR", help="write media (share cards) to DIR")
    preview.add_argument("--json", action="store_true")


def _log(log_cmd: argparse.ArgumentParser) -> None:
    from syndicator.models import DeliveryState

    formats = log_cmd.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="one JSON list, times in UTC")
    formats.add_argument("--csv", action="store_true", help="CSV with a header row")
    log_cmd.add_argument("--target", metavar="T")
    log_cmd.add_argument("--limit", type=_positive, default=20, metavar="N")
    log_cmd.add_argument("--held", action="store_true", help="only deliveries held for approval")
    log_cmd.add_argument(
        "--state",
        action="append",
        choices=[state.value for state in DeliveryState],
        metavar="STATE",
        help="only this state (repeatable): %(choices)s",
    )
    for bound in ("since", "until"):
        log_cmd.add_argument(
            f"--{bound}",
            type=_moment,
            metavar="WHEN",
            help=f"only deliveries {bound} WHEN: a date or time in the service's time zone "
            "(2026-05-01, '2026-05-01 14:30') or a duration ago (2h, 3d)",
        )


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def _moment(text: str) -> str:
    """Checked here so a typo is a usage error; read in the service's time zone later."""
    from syndicator.durations import parse_duration

    try:
        parse_duration(text)
        return text
    except ValueError:
        pass
    from datetime import datetime

    try:
        datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date (2026-05-01), a time ('2026-05-01 14:30') or a duration "
            f"ago (2h, 3d), got {text!r}"
        ) from None
    return text


def _why(why: argparse.ArgumentParser) -> None:
    why.add_argument("url")
    why.add_argument("--json", action="store_true")


def _ids(command: argparse.ArgumentParser) -> None:
    command.add_argument("ids", nargs="+", type=_positive, metavar="ID")


def _resolve(resolve: argparse.ArgumentParser) -> None:
    resolve.add_argument("id", type=_positive, metavar="ID")
    group = resolve.add_mutually_exclusive_group(required=True)
    group.add_argument("--sent", metavar="URL", help="it was posted, here")
    group.add_argument("--not-sent", action="store_true", help="it was not posted: send it again")


def _init(init: argparse.ArgumentParser) -> None:
    init.add_argument(
        "dir", nargs="?", default="config", help="folder for syndicator.toml (default: config)"
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")


def _demo(demo: argparse.ArgumentParser) -> None:
    demo.add_argument("--dir", metavar="DIR", help="work folder (default: a new temporary folder)")
    demo.add_argument(
        "--keep", action="store_true", help="keep the temporary work folder (it is removed on exit)"
    )
    demo.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for delivery")


def _status(status: argparse.ArgumentParser) -> None:
    status.add_argument("--json", action="store_true")


def _web(web: argparse.ArgumentParser) -> None:
    web.add_argument(
        "--listen", metavar="HOST:PORT", help="address to serve on (default: [web] listen)"
    )


def _user(user: argparse.ArgumentParser) -> None:
    actions = user.add_subparsers(dest="user_action", metavar="ACTION", required=True)
    shared = argparse.ArgumentParser(add_help=False)  # -c/-v/-q after the action too
    shared.add_argument("-c", "--config", metavar="FILE", default=argparse.SUPPRESS)
    shared.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS)
    shared.add_argument("-q", "--quiet", action="store_true", default=argparse.SUPPRESS)
    add = actions.add_parser(
        "add", parents=[shared], help="add a dashboard user (the password is read from stdin)"
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", choices=["viewer", "editor", "admin"], required=True)
    add.add_argument(
        "--password-stdin", action="store_true", required=True, help="read the password from stdin"
    )
    actions.add_parser("list", parents=[shared], help="list the dashboard's users")
    remove = actions.add_parser("remove", parents=[shared], help="remove a dashboard user")
    remove.add_argument("name", metavar="NAME")


# name: (help, adds its own arguments)
_COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None]]] = {
    "check": ("validate the config; exit 0, or 2 listing every problem", _check),
    "poll": ("run one round: poll due sources, create deliveries, send what is due", _poll),
    "run": ("run the service (APScheduler) until SIGTERM or Ctrl-C", _nothing),
    "status": ("each source's polls and each target's queue; is a service running", _status),
    "post": ("fetch one article and deliver it now", _post),
    "preview": ("show what each target would get for an article, without sending", _preview),
    "log": ("list deliveries, newest first", _log),
    "why": ("explain, per target, what happened to an article and why", _why),
    "retry": ("send failed or retrying deliveries again now", _ids),
    "approve": ("release held deliveries", _ids),
    "reject": ("drop held deliveries", _ids),
    "resolve": ("settle a delivery in state unknown", _resolve),
    "web": ("serve the dashboard alone, against the same store as the service", _web),
    "user": ("manage the dashboard's users: add, list, remove", _user),
    "init": ("write a commented starter config", _init),
    "demo": ("run the embedded default against a bundled sample news site", _demo),
}
_DESCRIPTIONS = {
    "demo": "serve a bundled news site on 127.0.0.1 and syndicate it into an outbox",
}


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
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(only=command_name(argv))
    args = parser.parse_args(argv)  # a usage mistake: argparse's message, exit 2
    if args.command is None:
        parser.print_help()
        return EXIT_USAGE
    setup_logging(args.verbose, args.quiet)
    try:
        code = _run(args)
        sys.stdout.flush()  # inside the try: a closed pipe may only show here
        return code
    except BrokenPipeError:
        # The reader left (``syndicator log | head``): end quietly. Point stdout at
        # /dev/null so the interpreter's final flush does not complain either.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_FAILURE


def _run(args: argparse.Namespace) -> int:
    from syndicator import commands
    from syndicator.errors import ConfigError, SyndicatorError, UsageError
    from syndicator.secrets import redact

    handler = getattr(commands, "cmd_" + args.command.replace("-", "_"))
    try:
        return int(handler(args))
    except UsageError as exc:
        print(f"syndicator {args.command}: error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except ConfigError as exc:
        print("configuration error:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {redact(problem)}", file=sys.stderr)
        return EXIT_USAGE
    except SyndicatorError as exc:
        print(f"error: {redact(str(exc))}", file=sys.stderr)
        return EXIT_FAILURE
    except BrokenPipeError:
        raise
    except OSError as exc:  # a folder that cannot be made, a store file that cannot be opened
        where = f": {exc.filename}" if exc.filename else ""
        print(f"error: {redact(exc.strerror or str(exc))}{where}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return EXIT_FAILURE


if __name__ == "__main__":
    raise SystemExit(main())
