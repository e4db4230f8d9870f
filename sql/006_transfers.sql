-- Read model of the transfer process: its status as of its last event.
CREATE TABLE IF NOT EXISTS transfers (
    transfer_id  text        PRIMARY KEY,
    from_account text        NOT NULL,
    to_account   text        NOT NULL,
    asset        text        NOT NULL,
    amount       numeric     NOT NULL,
    status       text        NOT NULL,
    reason       text,
    seq_nr       bigint      NOT NULL,
    updated_at   timestamptz NOT NULL
);

CREATE INDEX IF NOT EXISTS transfers_open ON transfers (updated_at) WHERE status NOT IN ('completed', 'rejected');
