select
    product_id,
    product_name,
    category,
    price,
    cost,
    price - cost as unit_margin
from {{ source('sales', 'products') }}
