-- Projections of the journal, written off the command path by cluster singletons. Each stores where it is in the
-- journal (the ordering of the last record it handled) in the same transaction as its rows, so a restart resumes
-- exactly there: every record is applied once, in journal order (so in order per entity).
CREATE TABLE IF NOT EXISTS projection_offsets (
    projection text        PRIMARY KEY,
    ordering   bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);

-- Balances per account and asset, for reporting and reconciliation (reads of one account ask the account).
-- Half-filled pages make each rewrite a HOT update that adds no index entry.
CREATE TABLE IF NOT EXISTS balances (
    account_id text        NOT NULL,
    asset      text        NOT NULL,
    available  numeric     NOT NULL,
    frozen     numeric     NOT NULL,
    seq_nr     bigint      NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (account_id, asset)
) WITH (fillfactor = 50);

-- Per asset, from the account events: what came in minus what went out (deposits - withdrawals - settlements),
-- what transfers debited and did not yet credit or refund, and what all balances hold. held + in_flight = expected
-- unless money was created or lost.
CREATE TABLE IF NOT EXISTS asset_flows (
    asset     text    PRIMARY KEY,
    expected  numeric NOT NULL,
    in_flight numeric NOT NULL,
    held      numeric NOT NULL
);

-- Each transfer as its process last recorded it.
CREATE TABLE IF NOT EXISTS transfer_status (
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

CREATE INDEX IF NOT EXISTS transfer_status_pending ON transfer_status (updated_at) WHERE status = 'pending';

-- What the accounts' journals say each transfer moved: a transfer is whole when its legs match its status.
CREATE TABLE IF NOT EXISTS transfer_legs (
    transfer_id text    PRIMARY KEY,
    asset       text    NOT NULL,
    debited     numeric NOT NULL,
    credited    numeric NOT NULL,
    refunded    numeric NOT NULL,
    debits      int     NOT NULL,
    credits     int     NOT NULL,
    refunds     int     NOT NULL
);

-- Reconciliation looks for contradictory legs every few seconds; this partial index stays empty while the books are
-- right, so looking costs nothing. (A leg row is written two or three times in its life; balances, rewritten on
-- every event, get no such index: one whose predicate reads available would make every rewrite a non-HOT update.)
CREATE INDEX IF NOT EXISTS transfer_legs_contradictory ON transfer_legs (transfer_id)
    WHERE debits > 1 OR credits > 1 OR refunds > 1 OR (credits > 0 AND refunds > 0) OR credits + refunds > debits;
