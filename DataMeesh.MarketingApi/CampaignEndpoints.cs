using DataMeesh.DataProducts.Api;
using Npgsql;

namespace DataMeesh.MarketingApi;

/// <param name="CostPerClick">USD; the conversion rate is computed from clicks and conversions.</param>
[WritesDataset("campaign_metrics")]
public sealed record NewCampaignMetrics(DateOnly? MetricDate, long? Impressions, long? Clicks, long? Conversions, decimal? CostPerClick)
    : IValidatedRequest
{
    public static string InvalidTitle => "The metrics are not valid.";

    public void Validate(ValidationErrors errors)
    {
        if (MetricDate is not { } date || date.Year < 2000 || date > DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1)))
            errors.Add("metricDate", "metricDate is required (yyyy-MM-dd, not in the future).");
        if (Impressions is not >= 0) errors.Add("impressions", "impressions is required and not negative.");
        if (Clicks is not >= 0) errors.Add("clicks", "clicks is required and not negative.");
        else if (Clicks > Impressions) errors.Add("clicks", "clicks cannot exceed impressions.");
        if (Conversions is not >= 0) errors.Add("conversions", "conversions is required and not negative.");
        else if (Conversions > Clicks) errors.Add("conversions", "conversions cannot exceed clicks.");
        if (CostPerClick is not (>= 0 and < 100_000_000)) errors.Add("costPerClick", "costPerClick is required, from 0 to 99,999,999.99.");
    }
}

/// <summary>The recorded day, as <c>GET /campaigns/{id}/metrics</c> lists it.</summary>
[ColumnNames]
public sealed record CreatedCampaignMetrics(long MetricId, long CampaignId, DateOnly MetricDate, long Impressions, long Clicks, long Conversions,
    decimal CostPerClick, decimal ConversionRate);

/// <summary>Campaigns: one campaign, its leads, its daily metrics, and recording a day's metrics.</summary>
public static class CampaignEndpoints
{
    public static IEndpointRouteBuilder MapCampaignEndpoints(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/campaigns").WithTag("Campaigns", "Campaigns, their leads and daily metrics, and recording a day's metrics.").RequireAuthorization();
        campaigns.MapGet("/{id}", (long id, HttpContext context, DataProductResults results) => results.WriteOneAsync(context, "campaigns", id))
            .WithName("GetCampaign").WithSummary("One campaign.").ProducesDatasetRow("campaigns").ProducesProblem(StatusCodes.Status404NotFound);
        campaigns.MapGet("/{id}/leads", (long id, HttpContext context, DataProductResults results) =>
                results.WriteChildrenAsync(context, "campaigns", id, "leads", "campaign_id"))
            .WithName("GetCampaignLeads").WithSummary("The campaign's leads (names and e-mails masked without pii-reader), keyset-paged.")
            .ProducesDatasetPage("leads").ProducesProblem(StatusCodes.Status404NotFound);
        campaigns.MapGet("/{id}/metrics", (long id, HttpContext context, DataProductResults results) =>
                results.WriteChildrenAsync(context, "campaigns", id, "campaign_metrics", "campaign_id"))
            .WithName("GetCampaignMetrics").WithSummary("The campaign's daily metrics, keyset-paged.")
            .ProducesDatasetPage("campaign_metrics").ProducesProblem(StatusCodes.Status404NotFound);
        campaigns.MapPost("/{id}/metrics", RecordMetrics).RequireAuthorization(DataProductRoles.Writer).Validates<NewCampaignMetrics>().AcceptsIdempotencyKey()
            .WithName("RecordCampaignMetrics").WithSummary("Records one day of a campaign's metrics (Idempotency-Key makes retries safe).")
            .Produces<CreatedCampaignMetrics>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> RecordMetrics(long id, NewCampaignMetrics metrics, HttpContext context, IdempotentWrites writes)
    {
        return await writes.ExecuteAsync(context, $"POST /campaigns/{id}/metrics", metrics, async (connection, transaction, cancellationToken) =>
        {
            await using (var exists = new NpgsqlCommand("SELECT 1 FROM campaigns WHERE campaign_id = @id", connection, transaction))
            {
                exists.Parameters.AddWithValue("id", id);
                if (await exists.ExecuteScalarAsync(cancellationToken) is null)
                {
                    throw ProblemException.NotFound($"No campaign with campaign_id {id}.");
                }
            }

            await using var command = new NpgsqlCommand("""
                INSERT INTO campaign_metrics (campaign_id, metric_date, impressions, clicks, conversions, cost_per_click, conversion_rate)
                VALUES (@campaign, @date, @impressions, @clicks, @conversions, round(@cpc, 2),
                        CASE WHEN @clicks > 0 THEN round(100.0 * @conversions / @clicks, 2) ELSE 0 END)
                RETURNING metric_id, cost_per_click, conversion_rate
                """, connection, transaction);
            command.Parameters.AddWithValue("campaign", id);
            command.Parameters.AddWithValue("date", metrics.MetricDate!.Value);
            command.Parameters.AddWithValue("impressions", metrics.Impressions!.Value);
            command.Parameters.AddWithValue("clicks", metrics.Clicks!.Value);
            command.Parameters.AddWithValue("conversions", metrics.Conversions!.Value);
            command.Parameters.AddWithValue("cpc", metrics.CostPerClick!.Value);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var created = new CreatedCampaignMetrics(reader.GetInt64(0), id, metrics.MetricDate.Value, metrics.Impressions.Value, metrics.Clicks.Value,
                metrics.Conversions.Value, reader.GetDecimal(1), reader.GetDecimal(2));
            return new WriteOutcome(StatusCodes.Status201Created, created, $"/campaigns/{id}/metrics?metric_date={created.MetricDate:yyyy-MM-dd}");
        });
    }
}
