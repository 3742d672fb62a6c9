select
    item_id,
    order_id,
    product_id,
    quantity,
    unit_price,
    discount_percent,
    line_total
from {{ source('sales', 'order_items') }}
