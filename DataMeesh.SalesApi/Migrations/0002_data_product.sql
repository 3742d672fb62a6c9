-- Sales as a data product: read-only consumer role, the API's least-privilege role, quality history, idempotent writes.
-- @include data_product_platform

-- The sales API writes orders with their items (POST /orders) and nothing else.
GRANT INSERT ON orders, order_items TO sales_api;
GRANT UPDATE (total_amount) ON orders TO sales_api;
GRANT USAGE ON SEQUENCE orders_order_id_seq, order_items_item_id_seq TO sales_api;
