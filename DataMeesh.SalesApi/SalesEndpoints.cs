namespace DataMeesh.SalesApi;

/// <summary>The sales domain's own endpoints, beside the data product's: customers, their orders, and placing orders.</summary>
public static class SalesEndpoints
{
    public static IEndpointRouteBuilder MapSalesEndpoints(this IEndpointRouteBuilder app) => app
        .MapCustomerEndpoints()
        .MapOrderEndpoints();
}
