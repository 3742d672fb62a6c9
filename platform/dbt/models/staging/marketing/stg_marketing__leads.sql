-- Timestamps in UTC without zone: Hive tables built on these views cannot store "timestamp with time zone".
-- No personal column (README, "Personal data"): every analyst group reads hive.analytics, so the lead is its id and its
-- pseudonym email_hash, the same keyed hash sales' customers carry.
select
    lead_id,
    email_hash,
    company,
    lead_source,
    lead_score,
    status as lead_status,
    campaign_id,
    cast(created_at at time zone 'UTC' as timestamp(3)) as created_at,
    cast(converted_at at time zone 'UTC' as timestamp(3)) as converted_at
from {{ source('marketing', 'leads') }}
