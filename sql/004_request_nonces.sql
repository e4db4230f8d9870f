-- Nonces of accepted signed requests, shared by all nodes so that a request replayed to any node is refused.
-- seen_at is the database's clock, like the pruning that deletes rows older than twice the signing window.
CREATE TABLE IF NOT EXISTS request_nonces (
    key_id       text        NOT NULL,
    nonce        text        NOT NULL,
    seen_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (key_id, nonce)
);

CREATE INDEX IF NOT EXISTS request_nonces_seen_at ON request_nonces (seen_at);
