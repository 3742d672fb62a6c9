-- One row per lead: where it came from, whether it became a customer (same email in sales, matched on the pseudonym
-- email_hash both domains compute with the mesh's key) and what that customer bought. No personal column: every analyst
-- group reads this table.
with leads as (
    select * from {{ ref('stg_marketing__leads') }}
),

campaigns as (
    select * from {{ ref('stg_marketing__campaigns') }}
),

customers as (
    select * from {{ ref('stg_sales__customers') }}
),

customer_orders as (
    select
        customer_id,
        count(*)          as order_count,
        sum(total_amount) as total_revenue,
        max(order_date)   as last_order_date
    from {{ ref('stg_sales__orders') }}
    where counts_as_revenue
    group by customer_id
)

select
    l.lead_id,
    l.email_hash,
    l.company,
    l.lead_source,
    l.campaign_id,
    coalesce(ca.campaign_name, '(no campaign)')                         as campaign_name,
    ca.channel                                                          as campaign_channel,
    l.created_at                                                        as first_contact_at,
    cu.customer_id,
    cu.customer_name,
    cu.created_at                                                       as converted_at,
    date_diff('day', l.created_at, cu.created_at)                       as days_to_convert,
    coalesce(co.order_count, 0)                                         as order_count,
    case when cu.customer_id is not null
         then coalesce(co.total_revenue, cast(0 as decimal(14, 2))) end as total_revenue,
    co.last_order_date,
    case when cu.customer_id is not null then 'Converted' else 'Lead Only' end as journey_status
from leads l
left join campaigns ca on ca.campaign_id = l.campaign_id
left join customers cu on cu.email_hash = l.email_hash
left join customer_orders co on co.customer_id = cu.customer_id
