-- What reconciliation has summed so far, so that a run reads only the account events written since the last
-- one instead of the whole journal, whose full scan every minute had grown into seconds of CPU.
-- Per account and asset: the journal's and the ledger's running totals, and the latest ledger entry's balance.
CREATE TABLE IF NOT EXISTS reconciled_balances (
    account_id        text    NOT NULL,
    asset             text    NOT NULL,
    journal_available numeric NOT NULL,
    journal_frozen    numeric NOT NULL,
    ledger_available  numeric NOT NULL,
    ledger_frozen     numeric NOT NULL,
    ledger_seq_nr     bigint  NOT NULL,
    available_after   numeric,
    frozen_after      numeric,
    PRIMARY KEY (account_id, asset)
);

-- Per asset: deposits minus withdrawals minus settlements, and what transfers debited but did not yet credit or
-- refund.
CREATE TABLE IF NOT EXISTS reconciled_assets (
    asset     text    PRIMARY KEY,
    expected  numeric NOT NULL,
    in_flight numeric NOT NULL
);

-- Per partition of the account journal, the last position summed. A partition's owner commits one batch at a
-- time, and a new owner's writes wait for the old one's, so a snapshot shows each partition's events up to
-- some position and none after it: everything above the cursor is new.
CREATE TABLE IF NOT EXISTS reconciled_positions (
    kafka_partition int    PRIMARY KEY,
    position        bigint NOT NULL
);
