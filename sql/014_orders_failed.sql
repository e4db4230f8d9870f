-- Reconciliation reports failed orders on every run; while none failed this partial index is empty, so looking
-- costs nothing however many orders there are.
CREATE INDEX IF NOT EXISTS orders_failed ON orders (order_id) WHERE status = 'failed';
