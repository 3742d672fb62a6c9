-- Finance's revenue by customer cohort: the quarter of each customer's first order and the customer's size. The revenue is
-- sales' lifetime value (ref('mart_sales__customer_lifetime_value')), the number campaign ROI uses too.
select
    cast(date_trunc('quarter', v.first_order_at) as date)   as cohort_quarter,
    v.company_size,
    count(*)                                                as customers,
    sum(v.order_count)                                      as orders,
    cast(sum(v.lifetime_value) as decimal(18, 2))           as revenue,
    cast(avg(v.lifetime_value) as decimal(14, 2))           as avg_lifetime_value
from {{ ref('mart_sales__customer_lifetime_value') }} v
where v.order_count > 0
group by cast(date_trunc('quarter', v.first_order_at) as date), v.company_size
