// A consumer of the sales API through a client Kiota generated from its /openapi/v1.json (GeneratedClientTests builds
// this file with the generated code in a temporary project; it is not part of the test assembly). It reads one typed
// page of orders, the next page by its cursor, and one order by id, and prints what it read as JSON.
using System.Text.Json;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using SalesClient;

var (baseUrl, token) = (args[0], args[1]);
var adapter = new HttpClientRequestAdapter(new BaseBearerTokenAuthenticationProvider(new StaticToken(token))) { BaseUrl = baseUrl };
var client = new SalesApiClient(adapter);

var page = await client.Datasets.Orders.Rows.GetAsync(request =>
{
    request.QueryParameters.Limit = 5;
    request.QueryParameters.Sort = "-total_amount";
    request.QueryParameters.Fields = "order_id,order_status,total_amount,order_date";
});
var next = await client.Datasets.Orders.Rows.GetAsync(request =>
{
    request.QueryParameters.Limit = 5;
    request.QueryParameters.Sort = "-total_amount";
    request.QueryParameters.Fields = "order_id,order_status,total_amount,order_date";
    request.QueryParameters.Cursor = page!.NextCursor;
});
var order = await client.Orders[page!.Items![0].OrderId!.Value].GetAsync();

Console.WriteLine(JsonSerializer.Serialize(new
{
    dataset = page.Dataset,
    limit = page.Limit,
    orders = page.Items!.Select(o => new { id = o.OrderId, status = o.OrderStatus?.ToString(), total = o.TotalAmount, date = o.OrderDate }),
    next = next!.Items!.Select(o => o.OrderId),
    firstOrderItems = order?.Items?.Count,
}));

internal sealed class StaticToken(string token) : IAccessTokenProvider
{
    public AllowedHostsValidator AllowedHostsValidator { get; } = new();

    public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null,
        CancellationToken cancellationToken = default) => Task.FromResult(token);
}
