extern alias SalesApi;
extern alias MarketingApi;

using DataMeesh.DataProducts.Api;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DataMeesh.Tests.Api;

/// <summary>Every request body of both APIs is checked by the one mechanism, <see cref="RequestValidation.Validates{TBody}"/>.</summary>
public sealed class EndpointConventionTests
{
    // The endpoint table is built without a database: nothing here connects.
    private const string Unreachable = "Host=127.0.0.1;Port=1;Database=unused;Username=postgres;Timeout=2";

    [Fact]
    public async Task Every_sales_endpoint_with_a_body_validates_it_with_the_shared_mechanism()
    {
        await using var factory = new WebApplicationFactory<SalesApi::Program>().WithWebHostBuilder(builder =>
            builder.UseSetting("ConnectionStrings:sales", Unreachable));
        AssertBodiesValidated(factory.Services, expectedAtLeast: 1);
    }

    [Fact]
    public async Task Every_marketing_endpoint_with_a_body_validates_it_with_the_shared_mechanism()
    {
        await using var factory = new WebApplicationFactory<MarketingApi::Program>().WithWebHostBuilder(builder =>
            builder.UseSetting("ConnectionStrings:marketing", Unreachable));
        AssertBodiesValidated(factory.Services, expectedAtLeast: 2);
    }

    private static void AssertBodiesValidated(IServiceProvider services, int expectedAtLeast)
    {
        var withBody = services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => (Route: e.RoutePattern.RawText, Body: e.Metadata.GetMetadata<IAcceptsMetadata>()?.RequestType, Validated: e.Metadata.GetMetadata<ValidatedBody>()))
            .Where(e => e.Body is not null)
            .ToList();

        Assert.True(withBody.Count >= expectedAtLeast, $"Expected at least {expectedAtLeast} endpoints with a body, found {withBody.Count}.");
        Assert.All(withBody, e =>
        {
            Assert.True(e.Validated?.BodyType == e.Body, $"{e.Route} takes a {e.Body!.Name} but does not call .Validates<{e.Body.Name}>().");
            Assert.True(typeof(IValidatedRequest).IsAssignableFrom(e.Body), $"{e.Body!.Name} does not state its rules (IValidatedRequest).");
        });
    }
}
