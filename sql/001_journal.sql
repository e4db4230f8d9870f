-- The event journal: the durable history of every entity. (entity_type, entity_id, seq_nr) is unique, so two
-- writers can never both append the same event number.
CREATE TABLE IF NOT EXISTS journal (
    position     bigserial   NOT NULL,
    entity_type  text        NOT NULL,
    entity_id    text        NOT NULL,
    seq_nr       bigint      NOT NULL,
    event_type   text        NOT NULL,
    payload      jsonb       NOT NULL,
    request_id   text        NOT NULL,
    kafka_partition int      NOT NULL,
    written_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_type, entity_id, seq_nr)
);

-- The outbox relay reads a partition's events in commit order.
CREATE INDEX IF NOT EXISTS journal_partition_position ON journal (entity_type, kafka_partition, position);

-- The latest snapshot of an entity; recovery starts here and replays the later events.
CREATE TABLE IF NOT EXISTS snapshots (
    entity_type  text        NOT NULL,
    entity_id    text        NOT NULL,
    seq_nr       bigint      NOT NULL,
    state        jsonb       NOT NULL,
    written_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_type, entity_id)
);

-- The first answer to every request id, rejections included, so a replay answers the same.
CREATE TABLE IF NOT EXISTS request_results (
    entity_type  text        NOT NULL,
    entity_id    text        NOT NULL,
    request_id   text        NOT NULL,
    payload_hash bytea       NOT NULL,
    result       json        NOT NULL, -- json, not jsonb: a replay must answer byte for byte the same
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity_type, entity_id, request_id)
);

CREATE INDEX IF NOT EXISTS request_results_created_at ON request_results (created_at);
