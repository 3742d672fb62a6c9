-- SELECT on every table and view of public for the domain's reader and API roles, as data_product_platform grants it.
-- A migration that re-creates a view (changing a view column's type needs DROP and CREATE) must include this: the new
-- view starts without the old one's grants, and the default privileges of data_product_platform cover only objects
-- created by the role that ran it, not a different migrating role.
DO $$
DECLARE
    reader text := quote_ident(current_setting('datameesh.domain') || '_reader');
    api    text := quote_ident(current_setting('datameesh.domain') || '_api');
BEGIN
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %s, %s', reader, api);
END $$;
