select
    order_id,
    customer_id,
    cast(order_date at time zone 'UTC' as timestamp(3)) as order_date,
    order_status,
    total_amount,
    order_status <> 'Cancelled' as counts_as_revenue,
    payment_method,
    region
from {{ source('sales', 'orders') }}
