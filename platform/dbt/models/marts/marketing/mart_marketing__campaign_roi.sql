-- Campaign ROI: per campaign, the revenue of the customers its leads became against the campaign's ad spend. The journey
-- (which lead became which customer) comes from the shared mart_customer_journey, read by its non-personal columns only;
-- the revenue is sales' own lifetime value (ref('mart_sales__customer_lifetime_value')), so marketing and finance report
-- the same dollars.
with journeys as (
    select campaign_id, customer_id, journey_status
    from {{ ref('mart_customer_journey') }}
    where campaign_id is not null
),

lifetime_value as (
    select customer_id, lifetime_value
    from {{ ref('mart_sales__customer_lifetime_value') }}
),

per_campaign as (
    select
        j.campaign_id,
        count(*)                                                          as leads,
        count(v.customer_id)                                              as customers,
        cast(coalesce(sum(v.lifetime_value), 0) as decimal(18, 2))        as attributed_revenue
    from journeys j
    left join lifetime_value v on v.customer_id = j.customer_id and j.journey_status = 'Converted'
    group by j.campaign_id
)

select
    c.campaign_id,
    c.campaign_name,
    c.channel,
    c.campaign_status,
    c.start_date,
    c.budget,
    c.spent                                                                         as ad_spend,
    coalesce(p.leads, 0)                                                            as leads,
    coalesce(p.customers, 0)                                                        as customers,
    coalesce(p.attributed_revenue, cast(0 as decimal(18, 2)))                       as attributed_revenue,
    cast(coalesce(p.attributed_revenue, 0) / nullif(c.spent, 0) as decimal(12, 2))  as revenue_per_ad_dollar,
    cast(100 * (coalesce(p.attributed_revenue, 0) - c.spent) / nullif(c.spent, 0) as decimal(12, 1)) as roi_pct
from {{ ref('stg_marketing__campaigns') }} c
left join per_campaign p on p.campaign_id = c.campaign_id
