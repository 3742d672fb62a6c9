using DataMeesh.DataProducts.Catalog;
using static DataMeesh.DataProducts.Catalog.QualityRule;

namespace DataMeesh.SalesApi;

/// <summary>What the sales team publishes. Types, keys and nullability come from the live schema; this adds the meaning.</summary>
public static class SalesProduct
{
    public static readonly DataProductDefinition Definition = new()
    {
        Domain = ResourceNames.SalesDatabase,
        Title = "Sales",
        Description = "Customers, the product catalogue, orders with their line items, and the revenue views the sales team reports from.",
        Owner = new ProductOwner("Sales Operations", "sales-data@datameesh.example"),
        UpdateFrequency = "continuously, as orders are placed",
        Classification = "confidential",
        Datasets =
        [
            new DatasetDefinition("customers", "Companies that buy from us; one row per customer account.")
            {
                Columns =
                [
                    new("customer_id", "Customer identifier.", Filter: true, Sort: true),
                    new("customer_name", "Name of the customer account (a company, not a person: internal, like leads.company in marketing)."),
                    new("email", "Contact e-mail (lower case; joins leads.email in marketing).", Pii: true),
                    new("phone", "Contact phone number.", Pii: true),
                    new("country", "Country of the customer.", Filter: true, Sort: true),
                    new("industry", "Industry of the customer.", Filter: true, Sort: true),
                    new("company_size", "Enterprise, Mid-Market or Small.", Filter: true, Sort: true),
                    new("created_at", "When the customer account was created.", Filter: true, Sort: true),
                    new("updated_at", "When the customer account last changed.", Filter: true, Sort: true),
                    new("email_hash", PiiPolicy.EmailHashDescription("leads.email_hash in marketing"), Filter: true),
                ],
                Quality = [Unique("email"), AcceptedValues("company_size", "Enterprise", "Mid-Market", "Small"), NotNull("phone", Severity.Warning)],
            },
            new DatasetDefinition("products", "The product catalogue with list price and cost.")
            {
                Columns =
                [
                    new("product_id", "Product identifier.", Filter: true, Sort: true),
                    new("product_name", "Product name (unique).", Filter: true, Sort: true),
                    new("category", "Software, Infrastructure or Services.", Filter: true, Sort: true),
                    new("price", "List price in USD.", Filter: true, Sort: true),
                    new("cost", "Unit cost in USD."),
                    new("description", "What the product is."),
                ],
                RowCount = new RowCountBounds(1, 10_000),
                Quality = [Unique("product_name"), AcceptedValues("category", "Software", "Infrastructure", "Services")],
            },
            new DatasetDefinition("orders", "Orders placed by customers; totals are the sum of their line items.")
            {
                Columns =
                [
                    new("order_id", "Order identifier.", Filter: true, Sort: true),
                    new("customer_id", "The customer who placed the order.", Filter: true),
                    new("order_date", "When the order was placed.", Filter: true, Sort: true),
                    new("order_status", "Pending, Processing, Completed or Cancelled.", Filter: true),
                    new("total_amount", "Order total in USD (sum of line totals).", Filter: true, Sort: true),
                    new("payment_method", "Credit Card, Wire Transfer, Invoice or Purchase Order.", Filter: true),
                    new("sales_rep", "The account executive (an employee's name).", Pii: true),
                    new("region", "Sales region.", Filter: true),
                ],
                Freshness = new FreshnessSla("order_date", TimeSpan.FromDays(7)),
                Quality =
                [
                    References("customer_id", "customers", "customer_id"),
                    AcceptedValues("order_status", "Pending", "Processing", "Completed", "Cancelled"),
                    AcceptedValues("payment_method", "Credit Card", "Wire Transfer", "Invoice", "Purchase Order"),
                    AcceptedValues("region", "North America", "Europe", "Asia Pacific", "Latin America", "Middle East & Africa"),
                ],
            },
            new DatasetDefinition("order_items", "Line items of orders: product, quantity, price and discount.")
            {
                Columns =
                [
                    new("item_id", "Line item identifier.", Filter: true, Sort: true),
                    new("order_id", "The order the line belongs to.", Filter: true),
                    new("product_id", "The product sold.", Filter: true),
                    new("quantity", "Units sold.", Filter: true, Sort: true),
                    new("unit_price", "Price per unit in USD at the time of the order."),
                    new("discount_percent", "Discount on the line, 0-100."),
                    new("line_total", "quantity × unit_price × (1 − discount), rounded to cents."),
                ],
                Quality = [References("order_id", "orders", "order_id"), References("product_id", "products", "product_id")],
            },
            new DatasetDefinition("sales_summary", "Revenue per calendar month (cancelled orders excluded).")
            {
                Key = ["month"],
                Columns =
                [
                    new("month", "First day of the month (UTC).", Filter: true, Sort: true),
                    new("order_count", "Orders placed in the month."),
                    new("total_revenue", "Revenue of the month in USD."),
                    new("avg_order_value", "Average order value in USD."),
                    new("unique_customers", "Distinct customers who ordered in the month."),
                ],
                Quality = [Unique("month"), NotNull("total_revenue")],
            },
            new DatasetDefinition("customer_lifetime_value", "Customers ranked by lifetime value (cancelled orders excluded).")
            {
                Key = ["customer_id"],
                Columns =
                [
                    new("customer_id", "Customer identifier.", Filter: true, Sort: true),
                    new("customer_name", "Name of the customer account (a company)."),
                    new("country", "Country of the customer.", Filter: true, Sort: true),
                    new("industry", "Industry of the customer.", Filter: true, Sort: true),
                    new("total_orders", "Orders placed.", Filter: true, Sort: true),
                    new("lifetime_value", "Revenue from the customer in USD.", Filter: true, Sort: true),
                    new("avg_order_value", "Average order value in USD."),
                    new("last_order_date", "When the customer last ordered.", Filter: true, Sort: true),
                ],
                Quality = [Unique("customer_id")],
            },
            new DatasetDefinition("product_performance", "Units, revenue and average discount per product.")
            {
                Key = ["product_id"],
                Columns =
                [
                    new("product_id", "Product identifier.", Filter: true, Sort: true),
                    new("product_name", "Product name."),
                    new("category", "Product category.", Filter: true, Sort: true),
                    new("times_sold", "Orders that include the product."),
                    new("total_quantity", "Units sold."),
                    new("total_revenue", "Revenue in USD.", Sort: true),
                    new("avg_discount", "Average discount percent."),
                ],
                Quality = [NotNull("total_revenue")],
            },
        ],
    };
}
