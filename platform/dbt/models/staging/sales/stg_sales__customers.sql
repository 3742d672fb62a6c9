-- Timestamps in UTC without zone: Hive tables built on these views cannot store "timestamp with time zone".
-- No personal column (README, "Personal data"): email_hash is the pseudonym marketing's leads carry too.
select
    customer_id,
    customer_name,
    email_hash,
    country,
    industry,
    company_size,
    cast(created_at at time zone 'UTC' as timestamp(3)) as created_at
from {{ source('sales', 'customers') }}
