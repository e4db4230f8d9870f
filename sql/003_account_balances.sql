-- Read model of the account entity: one row per account and asset, written in the same transaction as the
-- events it reflects.
CREATE TABLE IF NOT EXISTS account_balances (
    account_id   text           NOT NULL,
    asset        text           NOT NULL,
    available    numeric        NOT NULL CHECK (available >= 0),
    frozen       numeric        NOT NULL CHECK (frozen >= 0),
    seq_nr       bigint         NOT NULL,
    updated_at   timestamptz    NOT NULL,
    PRIMARY KEY (account_id, asset)
);
