namespace DataMeesh.MarketingApi;

/// <summary>The marketing domain's own endpoints, beside the data product's: campaigns with their leads and metrics, and leads.</summary>
public static class MarketingEndpoints
{
    public static IEndpointRouteBuilder MapMarketingEndpoints(this IEndpointRouteBuilder app) => app
        .MapCampaignEndpoints()
        .MapLeadEndpoints();
}
