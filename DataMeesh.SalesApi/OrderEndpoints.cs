using DataMeesh.DataProducts.Api;
using DataMeesh.DataProducts.Catalog;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;
using NpgsqlTypes;

namespace DataMeesh.SalesApi;

/// <param name="OrderDate">When the order was placed; now when omitted.</param>
/// <param name="OrderStatus">Pending (default), Processing, Completed or Cancelled.</param>
[WritesDataset("orders")]
public sealed record NewOrder(
    long? CustomerId, string? PaymentMethod, string? SalesRep, string? Region, IReadOnlyList<NewOrderItem>? Items,
    DateTimeOffset? OrderDate = null, string? OrderStatus = null) : IValidatedRequest
{
    public const int MaxItems = 100;

    public static string InvalidTitle => "The order is not valid.";

    public void Validate(ValidationErrors errors)
    {
        if (CustomerId is not > 0) errors.Add("customerId", "customerId is required (a customer's id).");
        if (string.IsNullOrWhiteSpace(PaymentMethod)) errors.Add("paymentMethod", "paymentMethod is required.");
        if (string.IsNullOrWhiteSpace(SalesRep) || SalesRep.Length > 200) errors.Add("salesRep", "salesRep is required (at most 200 characters).");
        if (string.IsNullOrWhiteSpace(Region)) errors.Add("region", "region is required.");
        if (OrderDate is { } date && (date.Year < 2000 || date > DateTimeOffset.UtcNow.AddDays(1))) errors.Add("orderDate", "orderDate must be between 2000 and now.");
        if (Items is not { Count: > 0 and <= MaxItems })
        {
            errors.Add("items", $"An order has 1 to {MaxItems} items.");
            return;
        }

        for (var i = 0; i < Items.Count; i++)
        {
            var item = Items[i];
            if (item is null) { errors.Add($"items[{i}]", "An item is required."); continue; }
            if (item.ProductId is not > 0) errors.Add($"items[{i}].productId", "productId is required (a product's id).");
            if (item.Quantity is not (> 0 and <= 100_000)) errors.Add($"items[{i}].quantity", "quantity must be from 1 to 100,000.");
            if (item.DiscountPercent is < 0 or > 100 || (item.DiscountPercent is { } d && decimal.Round(d, 2) != d))
                errors.Add($"items[{i}].discountPercent", "discountPercent must be from 0 to 100 with at most 2 decimals.");
        }
    }
}

/// <param name="DiscountPercent">0-100; 0 when omitted. Prices come from the product catalogue, never from the caller.</param>
[WritesDataset("order_items")]
public sealed record NewOrderItem(long? ProductId, int? Quantity, decimal? DiscountPercent = null);

/// <summary>The placed order as <c>GET /orders/{id}</c> shows it.</summary>
[ColumnNames]
public sealed record CreatedOrder(long OrderId, long CustomerId, DateTime OrderDate, string OrderStatus, decimal TotalAmount,
    string PaymentMethod, string SalesRep, string Region, IReadOnlyList<CreatedOrderItem> Items);

[ColumnNames]
public sealed record CreatedOrderItem(long ItemId, long ProductId, int Quantity, decimal UnitPrice, decimal DiscountPercent, decimal LineTotal);

/// <summary>Orders: one with its line items, and placing one.</summary>
public static class OrderEndpoints
{
    public const int MaxItemsPerOrder = NewOrder.MaxItems;

    public static IEndpointRouteBuilder MapOrderEndpoints(this IEndpointRouteBuilder app)
    {
        var orders = app.MapGroup("/orders").WithTag("Orders", "Orders with their line items, and placing new ones.").RequireAuthorization();
        orders.MapGet("/{id}", (long id, HttpContext context, DataProductResults results) =>
                results.WriteOneAsync(context, "orders", id, ("items", "order_items", "order_id")))
            .WithName("GetOrder").WithSummary("One order with its line items.")
            .ProducesDatasetRow("orders", ("items", "order_items"))
            .ProducesProblem(StatusCodes.Status404NotFound);
        orders.MapPost("/", PlaceOrder).RequireAuthorization(DataProductRoles.Writer).Validates<NewOrder>().AcceptsIdempotencyKey()
            .WithName("PlaceOrder")
            .WithSummary("Places an order with its items in one transaction; prices and totals are computed from the catalogue.")
            .WithDescription("Send an Idempotency-Key header to make retries safe: the same key returns the first response, never a second order.")
            .Produces<CreatedOrder>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return app;
    }

    private static async Task<IResult> PlaceOrder(NewOrder order, HttpContext context, IdempotentWrites writes)
    {
        return await writes.ExecuteAsync(context, "POST /orders", order, async (connection, transaction, cancellationToken) =>
        {
            var items = order.Items!;
            await RequireCustomerAsync(connection, transaction, order.CustomerId!.Value, cancellationToken);
            await RequireProductsAsync(connection, transaction, items, cancellationToken);

            long orderId;
            await using (var insertOrder = new NpgsqlCommand("""
                INSERT INTO orders (customer_id, order_date, order_status, total_amount, payment_method, sales_rep, region)
                VALUES (@customer, coalesce(@date, now()), @status, 0, @payment, @rep, @region)
                RETURNING order_id
                """, connection, transaction))
            {
                insertOrder.Parameters.AddWithValue("customer", order.CustomerId.Value);
                insertOrder.Parameters.Add(new NpgsqlParameter("date", NpgsqlDbType.TimestampTz) { Value = (object?)order.OrderDate?.UtcDateTime ?? DBNull.Value });
                insertOrder.Parameters.AddWithValue("status", order.OrderStatus ?? "Pending");
                insertOrder.Parameters.AddWithValue("payment", order.PaymentMethod!);
                insertOrder.Parameters.AddWithValue("rep", order.SalesRep!.Trim());
                insertOrder.Parameters.AddWithValue("region", order.Region!);
                orderId = (long)(await insertOrder.ExecuteScalarAsync(cancellationToken))!;
            }

            // Line totals are computed by the database with the same expression its CHECK constraint verifies.
            await using (var insertItems = new NpgsqlCommand("""
                INSERT INTO order_items (order_id, product_id, quantity, unit_price, discount_percent, line_total)
                SELECT @order, p.product_id, i.quantity, p.price, i.discount, round(i.quantity * p.price * (100 - i.discount) / 100, 2)
                FROM unnest(@products, @quantities, @discounts) WITH ORDINALITY AS i(product_id, quantity, discount, position)
                JOIN products p ON p.product_id = i.product_id
                ORDER BY i.position;
                UPDATE orders SET total_amount = (SELECT sum(line_total) FROM order_items WHERE order_id = @order) WHERE order_id = @order;
                """, connection, transaction))
            {
                insertItems.Parameters.AddWithValue("order", orderId);
                insertItems.Parameters.AddWithValue("products", items.Select(i => i.ProductId!.Value).ToArray());
                insertItems.Parameters.AddWithValue("quantities", items.Select(i => i.Quantity!.Value).ToArray());
                insertItems.Parameters.AddWithValue("discounts", items.Select(i => i.DiscountPercent ?? 0m).ToArray());
                await insertItems.ExecuteNonQueryAsync(cancellationToken);
            }

            var created = await ReadOrderAsync(connection, transaction, orderId, cancellationToken);
            // sales_rep is personal data (an employee's name): masked as GET /orders/{id} masks it.
            if (!context.User.CanReadPii())
            {
                created = created with { SalesRep = PiiPolicy.Mask };
            }

            return new WriteOutcome(StatusCodes.Status201Created, created, $"/orders/{orderId}");
        });
    }

    private static async Task RequireCustomerAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long customerId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT 1 FROM customers WHERE customer_id = @id", connection, transaction);
        command.Parameters.AddWithValue("id", customerId);
        if (await command.ExecuteScalarAsync(cancellationToken) is null)
        {
            throw ProblemException.BadRequest("customerId", $"Customer {customerId} does not exist.");
        }
    }

    private static async Task RequireProductsAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, IReadOnlyList<NewOrderItem> items,
        CancellationToken cancellationToken)
    {
        var known = new HashSet<long>();
        await using (var command = new NpgsqlCommand("SELECT product_id FROM products WHERE product_id = ANY(@ids)", connection, transaction))
        {
            command.Parameters.AddWithValue("ids", items.Select(i => i.ProductId!.Value).Distinct().ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                known.Add(reader.GetInt64(0));
            }
        }

        var unknown = items.Select((item, index) => (item, index)).Where(x => !known.Contains(x.item.ProductId!.Value)).ToList();
        if (unknown.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, "The order is not valid.", "Some products do not exist.",
                unknown.ToDictionary(x => $"items[{x.index}].productId", x => new[] { $"Product {x.item.ProductId} does not exist." }));
        }
    }

    private static async Task<CreatedOrder> ReadOrderAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long orderId, CancellationToken cancellationToken)
    {
        var items = new List<CreatedOrderItem>();
        await using (var command = new NpgsqlCommand("""
            SELECT item_id, product_id, quantity, unit_price, discount_percent, line_total FROM order_items WHERE order_id = @id ORDER BY item_id
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("id", orderId);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(new CreatedOrderItem(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt32(2), reader.GetDecimal(3), reader.GetDecimal(4), reader.GetDecimal(5)));
            }
        }

        await using var order = new NpgsqlCommand("""
            SELECT customer_id, order_date, order_status, total_amount, payment_method, sales_rep, region FROM orders WHERE order_id = @id
            """, connection, transaction);
        order.Parameters.AddWithValue("id", orderId);
        await using var row = await order.ExecuteReaderAsync(cancellationToken);
        await row.ReadAsync(cancellationToken);
        return new CreatedOrder(orderId, row.GetInt64(0), row.GetDateTime(1), row.GetString(2), row.GetDecimal(3), row.GetString(4),
            row.GetString(5), row.GetString(6), items);
    }
}
