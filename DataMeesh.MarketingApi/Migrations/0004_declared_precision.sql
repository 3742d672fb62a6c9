-- Money and ratios in the views get a declared precision. Trino's PostgreSQL connector maps numeric(p,s) to
-- decimal(p,s) but skips a numeric without precision (platform/trino/catalog/marketing.properties says why the catalog
-- keeps it that way), so the remaining budget, both percentages and the average lead score were invisible to every Trino
-- user, dbt and Grafana (notebook 01's lead_funnel query failed on avg_lead_score).
-- PostgreSQL refuses to change a view column's type in place, hence DROP and CREATE in this one transaction.
--   remaining budget             numeric(12,2): budget - spent with 0 <= spent <= budget, so it fits budget's type
--   percentages (0-100, CHECKed) numeric(5,2):  like campaign_metrics.conversion_rate
--   average lead score (0-100)   numeric(5,2)
DROP VIEW campaign_performance, lead_funnel;

CREATE VIEW campaign_performance AS
SELECT c.campaign_id,
       c.campaign_name,
       c.channel,
       c.budget,
       c.spent,
       (c.budget - c.spent)::numeric(12,2)                                                          AS remaining_budget,
       (CASE WHEN c.budget > 0 THEN round(100 * c.spent / c.budget, 2) ELSE 0 END)::numeric(5,2)  AS budget_utilization_pct,
       coalesce(l.total_leads, 0)                                                                   AS total_leads,
       coalesce(l.converted_leads, 0)                                                               AS converted_leads,
       (CASE WHEN coalesce(l.total_leads, 0) > 0
             THEN round(100.0 * l.converted_leads / l.total_leads, 2) ELSE 0 END)::numeric(5,2)   AS conversion_rate
FROM campaigns c
LEFT JOIN (SELECT campaign_id,
                  count(*)                                   AS total_leads,
                  count(*) FILTER (WHERE status = 'Converted') AS converted_leads
           FROM leads
           GROUP BY campaign_id) l ON l.campaign_id = c.campaign_id
ORDER BY c.campaign_id;

-- One row per lead status, in funnel order.
CREATE VIEW lead_funnel AS
SELECT l.status,
       count(*)                                   AS lead_count,
       round(avg(l.lead_score), 2)::numeric(5,2)  AS avg_lead_score,
       count(DISTINCT l.campaign_id)              AS campaigns_contributing
FROM leads l
GROUP BY l.status
ORDER BY array_position(ARRAY['New', 'Nurturing', 'Qualified', 'Converted', 'Disqualified'], l.status);

COMMENT ON VIEW campaign_performance IS 'Budget utilisation and lead conversion per campaign.';
COMMENT ON VIEW lead_funnel IS 'Lead counts and average score per funnel stage.';

-- @include public_read_grants
