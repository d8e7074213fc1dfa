"""The editors' dashboard: pages for the news office (see ``syndicator.web.app``)."""
