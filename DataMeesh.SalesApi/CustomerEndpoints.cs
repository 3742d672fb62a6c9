using DataMeesh.DataProducts.Api;

namespace DataMeesh.SalesApi;

/// <summary>Customers: one customer, and the customer's orders.</summary>
public static class CustomerEndpoints
{
    public static IEndpointRouteBuilder MapCustomerEndpoints(this IEndpointRouteBuilder app)
    {
        var customers = app.MapGroup("/customers").WithTag("Customers", "Customer accounts and their orders.").RequireAuthorization();
        customers.MapGet("/{id}", (long id, HttpContext context, DataProductResults results) => results.WriteOneAsync(context, "customers", id))
            .WithName("GetCustomer").WithSummary("One customer (name, e-mail and phone masked without the pii-reader role).")
            .ProducesDatasetRow("customers")
            .ProducesProblem(StatusCodes.Status404NotFound);
        customers.MapGet("/{id}/orders", (long id, HttpContext context, DataProductResults results) =>
                results.WriteChildrenAsync(context, "customers", id, "orders", "customer_id"))
            .WithName("GetCustomerOrders").WithSummary("The customer's orders, keyset-paged like /datasets/orders/rows.")
            .ProducesDatasetPage("orders").ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }
}
