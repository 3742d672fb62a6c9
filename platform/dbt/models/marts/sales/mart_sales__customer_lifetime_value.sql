-- Sales' customer lifetime value: one row per customer account and what it has bought (orders that were not cancelled).
-- Sales owns it and publishes it to the project (access: public): marketing's campaign ROI and finance's revenue read it
-- through ref() instead of each summing orders their own way. Keyed by customer_id only: no names, no emails.
with customers as (
    select * from {{ ref('stg_sales__customers') }}
),

orders as (
    select
        customer_id,
        count(*)          as order_count,
        sum(total_amount) as lifetime_value,
        min(order_date)   as first_order_at,
        max(order_date)   as last_order_at
    from {{ ref('stg_sales__orders') }}
    where counts_as_revenue
    group by customer_id
)

select
    c.customer_id,
    c.country,
    c.industry,
    c.company_size,
    c.created_at                                                  as customer_since,
    coalesce(o.order_count, 0)                                    as order_count,
    cast(coalesce(o.lifetime_value, 0) as decimal(18, 2))         as lifetime_value,
    cast(o.lifetime_value / o.order_count as decimal(14, 2))      as avg_order_value,
    o.first_order_at,
    o.last_order_at
from customers c
left join orders o on o.customer_id = c.customer_id
