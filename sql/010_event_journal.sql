-- The journal and snapshot store of Akka.Persistence.Sql, with the columns its PostgreSQL mapping expects, created
-- here rather than by the plugin: every node starts its ActorSystem only after the migrations ran, so nodes that
-- start together never race to create them. Migrations 001-003 and 005-009 belonged to the runtime Cohort had
-- before Akka.NET; a database that still holds their tables keeps them untouched, and nothing reads them.
--
-- One row per journal record (an event or a refused command), its payload Cohort's JSON in UTF-8 under a versioned
-- manifest: convert_from(message, 'UTF8')::jsonb reads it. (persistence_id, sequence_number) is unique: of two
-- incarnations of an entity writing the same number, one fails, and neither answers a write that failed.
-- The plugin's own schema adds single-column indexes on created and sequence_number; none of Cohort's queries or
-- the plugin's (by persistence id, by ordering) use them, and each costs every insert.
CREATE TABLE IF NOT EXISTS event_journal (
    ordering        bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created         bigint  NOT NULL,
    deleted         boolean NOT NULL,
    persistence_id  text    NOT NULL,
    sequence_number bigint  NOT NULL,
    message         bytea   NOT NULL,
    manifest        text,
    identifier      integer,
    writer_uuid     text,
    CONSTRAINT event_journal_uq UNIQUE (persistence_id, sequence_number)
);

CREATE TABLE IF NOT EXISTS snapshot_store (
    persistence_id  text    NOT NULL,
    sequence_number bigint  NOT NULL,
    created         bigint  NOT NULL,
    snapshot        bytea,
    manifest        text,
    serializer_id   integer,
    PRIMARY KEY (persistence_id, sequence_number)
);

-- Tags are not used (projections read the journal in order and select by persistence id), but the plugin's
-- tag-table mode expects the table.
CREATE TABLE IF NOT EXISTS event_tags (
    ordering_id    bigint NOT NULL,
    tag            text   NOT NULL,
    sequence_nr    bigint NOT NULL,
    persistence_id text   NOT NULL,
    PRIMARY KEY (ordering_id, tag)
);
