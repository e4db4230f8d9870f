-- The journal is also the outbox: what its events send is derived from them. Per partition, this is the
-- last journal position whose messages Kafka confirmed; a new owner sends everything after it again.
CREATE TABLE IF NOT EXISTS outbox_cursors (
    entity_type     text   NOT NULL,
    kafka_partition int    NOT NULL,
    position        bigint NOT NULL,
    PRIMARY KEY (entity_type, kafka_partition)
);

-- One entry per change of an account's asset, written with the event it records.
CREATE TABLE IF NOT EXISTS ledger (
    entry_id         bigserial   PRIMARY KEY,
    account_id       text        NOT NULL,
    asset            text        NOT NULL,
    seq_nr           bigint      NOT NULL,
    kind             text        NOT NULL,
    delta_available  numeric     NOT NULL,
    delta_frozen     numeric     NOT NULL,
    available_after  numeric     NOT NULL CHECK (available_after >= 0),
    frozen_after     numeric     NOT NULL CHECK (frozen_after >= 0),
    request_id       text        NOT NULL,
    created_at       timestamptz NOT NULL,
    UNIQUE (account_id, seq_nr)
);

CREATE INDEX IF NOT EXISTS ledger_account_asset ON ledger (account_id, asset, entry_id);
