"""The current schema of a new SQLite post log, as plain DDL.

A new store is created from this text so that a first ``syndicator poll`` does not
load SQLAlchemy to create it (half a second of a cold start). ``schema.py`` stays
the definition: ``tests/test_store_sql.py`` checks that a store created here and one
created by ``schema.MIGRATIONS`` have the same tables, columns and indexes, so a new
migration that is not mirrored here fails the suite.
"""

from __future__ import annotations

CREATE_SQLITE = """
CREATE TABLE meta (
    "key" VARCHAR(64) NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY ("key")
);
CREATE TABLE sources (
    name VARCHAR(200) NOT NULL,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    baselined_at DATETIME,
    last_polled_at DATETIME,
    last_success_at DATETIME,
    next_poll_at DATETIME,
    failures INTEGER NOT NULL,
    last_error TEXT,
    articles_seen INTEGER NOT NULL,
    PRIMARY KEY (name)
);
CREATE TABLE articles (
    id INTEGER NOT NULL,
    "key" VARCHAR(512) NOT NULL,
    url TEXT NOT NULL,
    guid TEXT,
    title TEXT NOT NULL,
    source VARCHAR(200) NOT NULL,
    published DATETIME,
    first_seen DATETIME NOT NULL,
    updated_at DATETIME,
    content_hash VARCHAR(32) NOT NULL,
    revision INTEGER NOT NULL,
    "plan" VARCHAR(8),
    data TEXT NOT NULL,
    PRIMARY KEY (id),
    UNIQUE ("key")
);
CREATE TABLE shared_cache (
    "key" VARCHAR(200) NOT NULL,
    value TEXT NOT NULL,
    expires_at FLOAT NOT NULL,
    PRIMARY KEY ("key")
);
CREATE TABLE leases (
    name VARCHAR(64) NOT NULL,
    holder VARCHAR(200) NOT NULL,
    expires_at FLOAT NOT NULL,
    active BOOLEAN NOT NULL,
    PRIMARY KEY (name)
);
CREATE TABLE article_keys (
    "key" VARCHAR(512) NOT NULL,
    article_id INTEGER NOT NULL,
    PRIMARY KEY ("key"),
    FOREIGN KEY(article_id) REFERENCES articles (id)
);
CREATE TABLE deliveries (
    id INTEGER NOT NULL,
    article_id INTEGER NOT NULL,
    target VARCHAR(200) NOT NULL,
    seq INTEGER NOT NULL,
    state VARCHAR(16) NOT NULL,
    reason TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    idem_key VARCHAR(64) NOT NULL,
    created_at DATETIME NOT NULL,
    updated_at DATETIME NOT NULL,
    due_at DATETIME,
    claimed_at DATETIME,
    claimed_by VARCHAR(100),
    sent_at DATETIME,
    text TEXT NOT NULL,
    length INTEGER,
    post TEXT NOT NULL,
    remote_id TEXT,
    remote_url TEXT,
    error TEXT,
    PRIMARY KEY (id),
    CONSTRAINT uq_delivery UNIQUE (article_id, target, seq),
    FOREIGN KEY(article_id) REFERENCES articles (id)
);
CREATE INDEX ix_deliveries_target_sent ON deliveries (target, sent_at);
CREATE INDEX ix_deliveries_due ON deliveries (state, due_at);
CREATE TABLE events (
    id INTEGER NOT NULL,
    delivery_id INTEGER NOT NULL,
    at DATETIME NOT NULL,
    kind VARCHAR(32) NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (id),
    FOREIGN KEY(delivery_id) REFERENCES deliveries (id)
);
CREATE INDEX ix_events_delivery_id ON events (delivery_id);
CREATE TABLE target_pauses (
    target VARCHAR(200) NOT NULL,
    until DATETIME NOT NULL,
    reason TEXT NOT NULL,
    PRIMARY KEY (target)
);
CREATE INDEX ix_deliveries_updated ON deliveries (updated_at);
CREATE INDEX ix_deliveries_article ON deliveries (article_id, target);
CREATE INDEX ix_articles_first_seen ON articles (first_seen);
CREATE TABLE users (
    name VARCHAR(100) NOT NULL,
    role VARCHAR(16) NOT NULL,
    password_hash TEXT NOT NULL,
    created_at DATETIME NOT NULL,
    PRIMARY KEY (name)
);
"""
