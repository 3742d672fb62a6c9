-- One PII policy on every path (issue 17). The personal columns are the ones MarketingProduct.cs declares Pii:
-- leads.first_name, leads.last_name and leads.email. leads.company is a company's name, internal like sales'
-- customers.customer_name. DataMeesh.Tests/Database/PiiPolicyTests checks these grants against the declarations, so a
-- column declared Pii later without a migration like this one fails the build.
-- @include pii_policy

-- The pseudonym leads join customers on (sales' customers.email_hash, same key).
ALTER TABLE leads ADD COLUMN email_hash text;
COMMENT ON COLUMN leads.email_hash IS 'HMAC-SHA-256 of email under the mesh''s PII key (hex); joins customers.email_hash in sales.';
CREATE TRIGGER leads_email_hash BEFORE INSERT OR UPDATE OF email ON leads
    FOR EACH ROW EXECUTE FUNCTION datameesh.set_email_hash();

-- The read-only consumer role reads every column but the personal ones (column privileges: SELECT * on leads is refused;
-- name the columns). The views it reads hold no personal column.
REVOKE SELECT ON leads FROM marketing_reader;
GRANT SELECT (lead_id, company, job_title, country, lead_source, source, lead_score, status, campaign_id, created_at, converted_at,
              email_hash) ON leads TO marketing_reader;
