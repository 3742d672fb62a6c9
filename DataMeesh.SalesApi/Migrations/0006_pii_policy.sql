-- One PII policy on every path (issue 17). The personal columns are the ones SalesProduct.cs declares Pii: customers.email,
-- customers.phone and orders.sales_rep (an employee's name). customer_name is a company's name, not a person's, and
-- internal like marketing's leads.company. DataMeesh.Tests/Database/PiiPolicyTests checks these grants against the
-- declarations, so a column declared Pii later without a migration like this one fails the build.
-- @include pii_policy

-- The pseudonym customers join leads on (marketing's leads.email_hash, same key).
ALTER TABLE customers ADD COLUMN email_hash text;
COMMENT ON COLUMN customers.email_hash IS 'HMAC-SHA-256 of email under the mesh''s PII key (hex); joins leads.email_hash in marketing.';
CREATE TRIGGER customers_email_hash BEFORE INSERT OR UPDATE OF email ON customers
    FOR EACH ROW EXECUTE FUNCTION datameesh.set_email_hash();

-- The read-only consumer role reads every column but the personal ones (column privileges: SELECT * on these tables is
-- refused; name the columns). The views it reads hold no personal column.
REVOKE SELECT ON customers, orders FROM sales_reader;
GRANT SELECT (customer_id, customer_name, country, industry, company_size, created_at, updated_at, email_hash) ON customers TO sales_reader;
GRANT SELECT (order_id, customer_id, order_date, order_status, total_amount, payment_method, region) ON orders TO sales_reader;
