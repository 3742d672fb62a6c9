-- Marketing as a data product: read-only consumer role, the API's least-privilege role, quality history, idempotent writes.
-- @include data_product_platform

-- The marketing API writes leads (POST /leads) and daily campaign metrics (POST /campaigns/{id}/metrics) and nothing else.
GRANT INSERT ON leads, campaign_metrics TO marketing_api;
GRANT USAGE ON SEQUENCE leads_lead_id_seq, campaign_metrics_metric_id_seq TO marketing_api;
