-- Who owns each partition, and since which epoch. A new owner increments the epoch before it recovers; every
-- write transaction checks (and share-locks) its epoch first, so a stale owner can never write again and the
-- new owner's increment waits for any transaction of the old owner still in flight.
CREATE TABLE IF NOT EXISTS partition_owners (
    topic        text        NOT NULL,
    kafka_partition int      NOT NULL,
    epoch        bigint      NOT NULL,
    node_id      text        NOT NULL,
    acquired_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (topic, kafka_partition)
);

CREATE OR REPLACE FUNCTION cohort_fence(p_topic text, p_partition int, p_epoch bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM partition_owners
     WHERE topic = p_topic AND kafka_partition = p_partition AND epoch = p_epoch
       FOR SHARE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'partition %/% is fenced: epoch % is no longer the owner''s', p_topic, p_partition, p_epoch
            USING ERRCODE = 'CF001';
    END IF;
END $$;

-- The nodes of the cluster as they last reported themselves; /admin/cluster reads it from any node.
CREATE TABLE IF NOT EXISTS nodes (
    node_id      text        PRIMARY KEY,
    url          text        NOT NULL,
    roles        text[]      NOT NULL,
    started_at   timestamptz NOT NULL,
    last_seen    timestamptz NOT NULL
);
