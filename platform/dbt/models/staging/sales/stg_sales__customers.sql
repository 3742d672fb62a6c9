-- Timestamps in UTC without zone: Hive tables built on these views cannot store "timestamp with time zone".
select
    customer_id,
    customer_name,
    email,
    country,
    industry,
    company_size,
    cast(created_at at time zone 'UTC' as timestamp(3)) as created_at
from {{ source('sales', 'customers') }}
