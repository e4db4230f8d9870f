-- A ledger entry is identified by its account and event number. The global entry_id cost a sequence and a btree
-- per row, and ledger_account_asset (account_id, asset, entry_id) a third btree, only to page one account's
-- entries, which the primary key does in the same order. Dropping the column drops both indexes that hold it
-- and its sequence; the unique constraint becomes the primary key.
ALTER TABLE ledger DROP COLUMN IF EXISTS entry_id;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'ledger'::regclass AND contype = 'p') THEN
        ALTER TABLE ledger ADD CONSTRAINT ledger_pkey PRIMARY KEY (account_id, seq_nr);
    END IF;
END $$;
ALTER TABLE ledger DROP CONSTRAINT IF EXISTS ledger_account_id_seq_nr_key;
