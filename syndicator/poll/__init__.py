"""The poll path, one module per step:

``schedule`` (which sources are due, when each is next) -> ``spec`` (a source's
config as a ``SourceSpec`` and its ``FetchRequest``) -> ``source`` (one source: the
conditional GET through a ``sources.fetcher.Fetcher``, then ``sources.poll``
parses and completes what is new) -> ``record`` (results written in batches, new
articles handed to ``pipeline`` for planning) -> ``round`` (a round of many
sources on one event loop). ``context`` holds what a round works with and reports.
"""

from syndicator.poll.context import Poller, PollSummary, poller_of
from syndicator.poll.round import poll, poll_round
from syndicator.poll.schedule import due_sources

__all__ = ["PollSummary", "Poller", "due_sources", "poll", "poll_round", "poller_of"]
