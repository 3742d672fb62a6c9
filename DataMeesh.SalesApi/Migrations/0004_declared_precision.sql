-- Money and ratios in the views get a declared precision. Trino's PostgreSQL connector maps numeric(p,s) to
-- decimal(p,s) but skips a numeric without precision (platform/trino/catalog/sales.properties says why the catalog keeps
-- it that way), so sums and averages computed as plain numeric were invisible to every Trino user, dbt and Grafana.
-- PostgreSQL refuses to change a view column's type in place, hence DROP and CREATE in this one transaction.
--   sums of money      numeric(18,2): up to 9.99e15 dollars, and at most 18 digits, Trino's 64-bit decimal
--   averages of money  numeric(14,2): an average never exceeds the largest amount averaged (orders.total_amount)
--   average discount   numeric(5,2):  a percentage 0-100, like order_items.discount_percent
DROP VIEW sales_summary, customer_lifetime_value, product_performance;

-- Revenue counts every order that was not cancelled.
CREATE VIEW sales_summary AS
SELECT (date_trunc('month', o.order_date AT TIME ZONE 'UTC'))::date AS month,
       count(*)                                                    AS order_count,
       sum(o.total_amount)::numeric(18,2)                          AS total_revenue,
       round(avg(o.total_amount), 2)::numeric(14,2)                AS avg_order_value,
       count(DISTINCT o.customer_id)                               AS unique_customers
FROM orders o
WHERE o.order_status <> 'Cancelled'
GROUP BY 1
ORDER BY 1;

CREATE VIEW customer_lifetime_value AS
SELECT c.customer_id,
       c.customer_name,
       c.country,
       c.industry,
       count(o.order_id)                                          AS total_orders,
       coalesce(sum(o.total_amount), 0)::numeric(18,2)            AS lifetime_value,
       coalesce(round(avg(o.total_amount), 2), 0)::numeric(14,2)  AS avg_order_value,
       max(o.order_date)                                          AS last_order_date
FROM customers c
LEFT JOIN orders o ON o.customer_id = c.customer_id AND o.order_status <> 'Cancelled'
GROUP BY c.customer_id, c.customer_name, c.country, c.industry
ORDER BY lifetime_value DESC, c.customer_id;

CREATE VIEW product_performance AS
SELECT p.product_id,
       p.product_name,
       p.category,
       count(DISTINCT oi.order_id)                                    AS times_sold,
       coalesce(sum(oi.quantity), 0)                                  AS total_quantity,
       coalesce(sum(oi.line_total), 0)::numeric(18,2)                 AS total_revenue,
       coalesce(round(avg(oi.discount_percent), 2), 0)::numeric(5,2)  AS avg_discount
FROM products p
LEFT JOIN order_items oi ON oi.product_id = p.product_id
    AND EXISTS (SELECT 1 FROM orders o WHERE o.order_id = oi.order_id AND o.order_status <> 'Cancelled')
GROUP BY p.product_id, p.product_name, p.category
ORDER BY total_revenue DESC, p.product_id;

COMMENT ON VIEW sales_summary IS 'Monthly revenue, order count, average order value and unique customers (cancelled orders excluded).';
COMMENT ON VIEW customer_lifetime_value IS 'Customers ranked by lifetime value (cancelled orders excluded).';
COMMENT ON VIEW product_performance IS 'Units, revenue and average discount per product (cancelled orders excluded).';

-- @include public_read_grants
