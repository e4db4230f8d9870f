-- Each product as its journal last recorded it, for listing (reads of one product ask its entity). Written by the
-- "products" projection; seq_nr is the product's journal sequence number the row reflects, so a replayed batch
-- never overwrites a newer row with an older one.
CREATE TABLE IF NOT EXISTS products (
    sku        text        PRIMARY KEY,
    name       text        NOT NULL,
    price      numeric     NOT NULL,
    asset      text        NOT NULL,
    category   text,
    available  bigint      NOT NULL,
    reserved   bigint      NOT NULL,
    sold       bigint      NOT NULL,
    seq_nr     bigint      NOT NULL,
    updated_at timestamptz NOT NULL
);

-- The list pages through one category (or all products) in sku order.
CREATE INDEX IF NOT EXISTS products_category_sku ON products (category, sku);
