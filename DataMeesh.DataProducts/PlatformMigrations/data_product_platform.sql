-- Data-product platform objects every domain database has; each domain's migration includes this file.
-- The migrator sets datameesh.domain (e.g. 'sales') for the transaction, so role names follow the domain:
--   <domain>_reader  read-only consumers (Trino catalogs, Grafana, notebooks); NOLOGIN until the API is given a password
--   <domain>_api     what the API's data plane runs as (SELECT everywhere, INSERT only where the domain writes)
-- Roles are cluster-wide: several databases of one domain (environments, tests) share them.

DO $$
DECLARE
    domain    text := current_setting('datameesh.domain');
    role_name text;
BEGIN
    FOREACH role_name IN ARRAY ARRAY[domain || '_reader', domain || '_api'] LOOP
        BEGIN
            EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created already, possibly at this very moment by another database of the same domain
        END;
    END LOOP;

    -- The API switches to <domain>_api on every connection; a non-superuser migrating user must be a member to do that.
    IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        EXECUTE format('GRANT %I TO CURRENT_USER', domain || '_api');
    END IF;
END $$;

-- Results of the data-quality checks: the history the API, Grafana and notebooks read.
CREATE TABLE datameesh.quality_runs (
    run_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    trigger     text        NOT NULL CHECK (trigger IN ('startup', 'schedule', 'manual')),
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz
);

CREATE TABLE datameesh.quality_results (
    run_id         bigint      NOT NULL REFERENCES datameesh.quality_runs (run_id) ON DELETE CASCADE,
    dataset        text        NOT NULL,
    check_name     text        NOT NULL,
    check_type     text        NOT NULL
                               CHECK (check_type IN ('not_null', 'unique', 'foreign_key', 'accepted_values', 'freshness', 'row_count')),
    column_name    text,
    severity       text        NOT NULL CHECK (severity IN ('critical', 'warning')),
    passed         boolean     NOT NULL,
    observed_value numeric,
    threshold      numeric,
    details        text        NOT NULL,
    checked_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, dataset, check_name)
);

CREATE INDEX quality_results_dataset_idx ON datameesh.quality_results (dataset, run_id DESC);

COMMENT ON TABLE datameesh.quality_results IS 'One row per data-quality check and run: observed value, threshold and outcome.';

-- The latest complete result of every dataset's checks.
CREATE VIEW datameesh.quality_latest AS
SELECT r.*
FROM datameesh.quality_results r
JOIN (SELECT dataset, max(run_id) AS run_id FROM datameesh.quality_results GROUP BY dataset) latest
  ON latest.dataset = r.dataset AND latest.run_id = r.run_id;

-- Score per dataset: the share of its checks that passed, 0-100.
CREATE VIEW datameesh.quality_scores AS
SELECT dataset,
       count(*)                                                  AS checks,
       count(*) FILTER (WHERE passed)                            AS passed_checks,
       count(*) FILTER (WHERE NOT passed AND severity = 'critical') AS failed_critical,
       round(100.0 * count(*) FILTER (WHERE passed) / count(*), 1) AS score,
       max(checked_at)                                           AS checked_at
FROM datameesh.quality_latest
GROUP BY dataset;

-- Responses of writes sent with an Idempotency-Key: a retried request gets the first response, never a second row.
CREATE TABLE datameesh.idempotency_keys (
    operation     text        NOT NULL,
    key           text        NOT NULL,
    request_hash  text        NOT NULL,
    status_code   integer,
    location      text,
    response_body text,          -- the exact bytes sent, so a replay is identical
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (operation, key)
);

CREATE INDEX idempotency_keys_created_at_idx ON datameesh.idempotency_keys (created_at);

DO $$
DECLARE
    reader text := quote_ident(current_setting('datameesh.domain') || '_reader');
    api    text := quote_ident(current_setting('datameesh.domain') || '_api');
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %s, %s', current_database(), reader, api);
    EXECUTE format('GRANT USAGE ON SCHEMA public, datameesh TO %s, %s', reader, api);
    -- Every table and view of the domain, including those later migrations add.
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %s, %s', reader, api);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO %s, %s', reader, api);
    EXECUTE format('GRANT SELECT ON datameesh.quality_runs, datameesh.quality_results, datameesh.quality_latest, '
                   'datameesh.quality_scores TO %s, %s', reader, api);
    EXECUTE format('GRANT INSERT, UPDATE ON datameesh.quality_runs TO %s', api);
    EXECUTE format('GRANT INSERT ON datameesh.quality_results TO %s', api);
    EXECUTE format('GRANT DELETE ON datameesh.quality_runs, datameesh.quality_results TO %s', api);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON datameesh.idempotency_keys TO %s', api);
END $$;
