-- The platform half of the one PII policy (issue 17); each domain's migration includes it and then lists its personal
-- columns. What it adds to the domain database:
--   <domain>_pii_reader  the PII-entitled read role (Trino's catalog connection; NOLOGIN until the API has its password):
--                        SELECT on every table and view of public, as <domain>_reader had before this policy
--   datameesh.pii_key    the mesh's secret key for pseudonyms (DataProducts:PiiKey, the same in every domain), readable by
--                        its owner only: nobody who reads the data can compute a pseudonym for an address they guess
--   datameesh.email_hash(email) / set_email_hash()
--                        HMAC-SHA-256 of the e-mail under that key, in hex: a trigger keeps <table>.email_hash current, so
--                        leads and customers join on the same pseudonym in every domain without revealing the address.
--                        Empty (NULL) while no key is configured.
DO $$
DECLARE
    role_name text := current_setting('datameesh.domain') || '_pii_reader';
BEGIN
    BEGIN
        EXECUTE format('CREATE ROLE %I NOLOGIN', role_name);
    EXCEPTION WHEN duplicate_object OR unique_violation THEN
        NULL; -- created already, possibly at this very moment by another database of the same domain
    END;
END $$;

-- pgcrypto's hmac(); in schema datameesh so that public holds only the published datasets.
CREATE EXTENSION IF NOT EXISTS pgcrypto WITH SCHEMA datameesh;

CREATE TABLE datameesh.pii_key (
    only_row boolean     PRIMARY KEY DEFAULT true CHECK (only_row),
    key      bytea       NOT NULL CHECK (length(key) >= 16),
    set_at   timestamptz NOT NULL DEFAULT now()
);
REVOKE ALL ON datameesh.pii_key FROM PUBLIC;
COMMENT ON TABLE datameesh.pii_key IS 'The mesh''s pseudonym key (DataProducts:PiiKey); readable by its owner only.';

-- SECURITY DEFINER: the key stays unreadable, and EXECUTE is not granted to anyone, so no reader can hash a guessed address
-- and compare (which would tell whether that address is on file).
CREATE FUNCTION datameesh.email_hash(email text) RETURNS text
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ SELECT encode(datameesh.hmac(convert_to(email, 'UTF8'), k.key, 'sha256'), 'hex') FROM datameesh.pii_key k $$;
REVOKE EXECUTE ON FUNCTION datameesh.email_hash(text) FROM PUBLIC;

CREATE FUNCTION datameesh.set_email_hash() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
    AS $$ BEGIN NEW.email_hash := datameesh.email_hash(NEW.email); RETURN NEW; END $$;
REVOKE EXECUTE ON FUNCTION datameesh.set_email_hash() FROM PUBLIC;

DO $$
DECLARE
    pii_reader text := quote_ident(current_setting('datameesh.domain') || '_pii_reader');
BEGIN
    EXECUTE format('GRANT CONNECT ON DATABASE %I TO %s', current_database(), pii_reader);
    EXECUTE format('GRANT USAGE ON SCHEMA public, datameesh TO %s', pii_reader);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %s', pii_reader);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO %s', pii_reader);
    EXECUTE format('GRANT SELECT ON datameesh.quality_runs, datameesh.quality_results, datameesh.quality_latest, '
                   'datameesh.quality_scores TO %s', pii_reader);
END $$;
