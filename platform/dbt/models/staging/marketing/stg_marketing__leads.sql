-- Timestamps in UTC without zone: Hive tables built on these views cannot store "timestamp with time zone".
select
    lead_id,
    first_name || ' ' || last_name as lead_name,
    email,
    company,
    lead_source,
    lead_score,
    status as lead_status,
    campaign_id,
    cast(created_at at time zone 'UTC' as timestamp(3)) as created_at,
    cast(converted_at at time zone 'UTC' as timestamp(3)) as converted_at
from {{ source('marketing', 'leads') }}
