"""Everything between a source URL and a list of ``Article``s.

``poll.complete_poll`` reads a fetched feed or list page for ``syndicator.poll``; ``poll.extract_one`` serves
``syndicator post URL``; ``fetch.fetch_image`` downloads lead images. The modules
import their heavy dependencies (lxml, feedparser, trafilatura, PIL) lazily, and
this package imports nothing, so the CLI starts fast.
"""
