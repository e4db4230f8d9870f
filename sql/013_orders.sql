-- Each order as its journal last recorded it: for an account's order list, for the order keeper (orders past their
-- deadline, or stuck on a step, that no node holds) and for reconciliation. Written by the "orders" projection;
-- seq_nr is the order's journal sequence number the row reflects, so a replayed batch never sets a row back.
CREATE TABLE IF NOT EXISTS orders (
    order_id   text        PRIMARY KEY,
    account_id text        NOT NULL,
    sku        text        NOT NULL,
    quantity   bigint      NOT NULL,
    status     text        NOT NULL,
    asset      text,
    price      numeric,
    reason     text,
    placed_at  timestamptz NOT NULL,
    deadline   timestamptz NOT NULL,
    seq_nr     bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);

-- An account's orders, newest first.
CREATE INDEX IF NOT EXISTS orders_account_placed ON orders (account_id, placed_at DESC, order_id);

-- The keeper's two questions stay cheap however many orders are final.
CREATE INDEX IF NOT EXISTS orders_awaiting_deadline ON orders (deadline) WHERE status = 'awaiting_payment';
CREATE INDEX IF NOT EXISTS orders_in_flight ON orders (updated_at) WHERE status IN ('reserving', 'paying', 'refunding', 'releasing');
