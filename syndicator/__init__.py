"""syndicator: take a news office's new articles to every social platform its readers use.

The public API for adapter authors: the models, the adapter contract, the error kinds
and the text tools (``syndicator.text``). Everything else is the engine's own.
"""

from syndicator.models import Article, DeliveryState, Media, Post, Receipt

__version__ = "0.1.0"

__all__ = ["Article", "DeliveryState", "Media", "Post", "Receipt", "__version__"]
