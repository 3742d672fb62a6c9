using System.Net.Mail;
using DataMeesh.DataProducts.Api;
using Npgsql;

namespace DataMeesh.MarketingApi;

/// <param name="Status">New (default), Nurturing, Qualified, Converted or Disqualified.</param>
public sealed record NewLead(
    string? FirstName, string? LastName, string? Email, string? Company, string? JobTitle, string? Country,
    string? LeadSource, int? LeadScore, string? Status, long? CampaignId);

/// <summary>The created lead, without its personal data (read it back from /leads/{id} with the pii-reader role).</summary>
public sealed record CreatedLead(long LeadId, string LeadSource, int LeadScore, string Status, long? CampaignId, DateTime CreatedAt);

/// <param name="CostPerClick">USD; the conversion rate is computed from clicks and conversions.</param>
public sealed record NewCampaignMetrics(DateOnly? MetricDate, long? Impressions, long? Clicks, long? Conversions, decimal? CostPerClick);

public sealed record CreatedCampaignMetrics(long MetricId, long CampaignId, DateOnly MetricDate, long Impressions, long Clicks, long Conversions,
    decimal CostPerClick, decimal ConversionRate);

/// <summary>The marketing domain's own endpoints: campaigns with their leads and metrics, leads, and the writes that keep them live.</summary>
public static class CampaignEndpoints
{
    public static IEndpointRouteBuilder MapMarketingEndpoints(this IEndpointRouteBuilder app)
    {
        var campaigns = app.MapGroup("/campaigns").WithTags("Campaigns");
        campaigns.MapGet("/{id}", (long id, HttpContext context, DataProductResults results) => results.WriteOneAsync(context, "campaigns", id))
            .RequireAuthorization().WithName("GetCampaign").WithSummary("One campaign.").ProducesDatasetRow("campaigns").ProducesProblem(StatusCodes.Status404NotFound);
        campaigns.MapGet("/{id}/leads", (long id, HttpContext context, DataProductResults results) =>
                results.WriteChildrenAsync(context, "campaigns", id, "leads", "campaign_id"))
            .RequireAuthorization().WithName("GetCampaignLeads").WithSummary("The campaign's leads (names and e-mails masked without pii-reader), keyset-paged.")
            .Produces<RowsPage>().ProducesDatasetPage("leads").ProducesProblem(StatusCodes.Status404NotFound);
        campaigns.MapGet("/{id}/metrics", (long id, HttpContext context, DataProductResults results) =>
                results.WriteChildrenAsync(context, "campaigns", id, "campaign_metrics", "campaign_id"))
            .RequireAuthorization().WithName("GetCampaignMetrics").WithSummary("The campaign's daily metrics, keyset-paged.")
            .Produces<RowsPage>().ProducesDatasetPage("campaign_metrics").ProducesProblem(StatusCodes.Status404NotFound);
        campaigns.MapPost("/{id}/metrics", RecordMetrics).RequireAuthorization(DataProductRoles.Writer)
            .WithName("RecordCampaignMetrics").WithSummary("Records one day of a campaign's metrics (Idempotency-Key makes retries safe).")
            .Produces<CreatedCampaignMetrics>(StatusCodes.Status201Created).ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);

        var leads = app.MapGroup("/leads").WithTags("Leads");
        leads.MapGet("/{id}", (long id, HttpContext context, DataProductResults results) => results.WriteOneAsync(context, "leads", id))
            .RequireAuthorization().WithName("GetLead").WithSummary("One lead (personal data masked without pii-reader).")
            .ProducesDatasetRow("leads").ProducesProblem(StatusCodes.Status404NotFound);
        leads.MapPost("/", CreateLead).RequireAuthorization(DataProductRoles.Writer)
            .WithName("CreateLead").WithSummary("Records a new lead (Idempotency-Key makes retries safe).")
            .Produces<CreatedLead>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> CreateLead(NewLead lead, HttpContext context, IdempotentWrites writes)
    {
        var errors = new Dictionary<string, string[]>();
        Require(errors, "firstName", lead.FirstName, 100);
        Require(errors, "lastName", lead.LastName, 100);
        Require(errors, "email", lead.Email, 254);
        if (lead.Email is { Length: > 0 } email && (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email.Trim()))
        {
            errors["email"] = ["email is not a valid e-mail address."];
        }

        Require(errors, "leadSource", lead.LeadSource, 50);
        if (lead.LeadScore is not (>= 0 and <= 100)) errors["leadScore"] = ["leadScore must be from 0 to 100."];
        if (lead.CampaignId is <= 0) errors["campaignId"] = ["campaignId must be a campaign's id."];
        foreach (var (field, value) in new[] { ("company", lead.Company), ("jobTitle", lead.JobTitle), ("country", lead.Country) })
        {
            if (value is { Length: > 200 }) errors[field] = [$"{field} is at most 200 characters."];
        }

        ThrowIfAny(errors, "The lead is not valid.");
        return await writes.ExecuteAsync(context, "POST /leads", lead, async (connection, transaction, cancellationToken) =>
        {
            await using var command = new NpgsqlCommand("""
                INSERT INTO leads (first_name, last_name, email, company, job_title, country, lead_source, lead_score, status, campaign_id, converted_at)
                VALUES (@first, @last, @email, @company, @title, @country, @source, @score, @status, @campaign,
                        CASE WHEN @status = 'Converted' THEN now() END)
                RETURNING lead_id, lead_source, lead_score, status, campaign_id, created_at
                """, connection, transaction);
            command.Parameters.AddWithValue("first", lead.FirstName!.Trim());
            command.Parameters.AddWithValue("last", lead.LastName!.Trim());
            command.Parameters.AddWithValue("email", lead.Email!.Trim().ToLowerInvariant());
            command.Parameters.AddWithValue("company", (object?)lead.Company ?? DBNull.Value);
            command.Parameters.AddWithValue("title", (object?)lead.JobTitle ?? DBNull.Value);
            command.Parameters.AddWithValue("country", (object?)lead.Country ?? DBNull.Value);
            command.Parameters.AddWithValue("source", lead.LeadSource!);
            command.Parameters.AddWithValue("score", lead.LeadScore!.Value);
            command.Parameters.AddWithValue("status", lead.Status ?? "New");
            command.Parameters.AddWithValue("campaign", (object?)lead.CampaignId ?? DBNull.Value);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            await reader.ReadAsync(cancellationToken);
            var created = new CreatedLead(reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetInt64(4), reader.GetDateTime(5));
            return new WriteOutcome(StatusCodes.Status201Created, created, $"/leads/{created.LeadId}");
        });
    }

    private static async Task<IResult> RecordMetrics(long id, NewCampaignMetrics metrics, HttpContext context, IdempotentWrites writes)
    {
        var errors = new Dictionary<string, string[]>();
        if (metrics.MetricDate is not { } date || date.Year < 2000 || date > DateOnly.FromDateTime(DateTime.UtcNow.AddDays(1)))
            errors["metricDate"] = ["metricDate is required (yyyy-MM-dd, not in the future)."];
        if (metrics.Impressions is not >= 0) errors["impressions"] = ["impressions is required and not negative."];
        if (metrics.Clicks is not >= 0) errors["clicks"] = ["clicks is required and not negative."];
        else if (metrics.Clicks > metrics.Impressions) errors["clicks"] = ["clicks cannot exceed impressions."];
        if (metrics.Conversions is not >= 0) errors["conversions"] = ["conversions is required and not negative."];
        else if (metrics.Conversions > metrics.Clicks) errors["conversions"] = ["conversions cannot exceed clicks."];
        if (metrics.CostPerClick is not (>= 0 and < 100_000_000)) errors["costPerClick"] = ["costPerClick is required, from 0 to 99,999,999.99."];
        ThrowIfAny(errors, "The metrics are not valid.");

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

    private static void Require(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value) || value.Length > maxLength)
        {
            errors[field] = [$"{field} is required (at most {maxLength} characters)."];
        }
    }

    private static void ThrowIfAny(Dictionary<string, string[]> errors, string title)
    {
        if (errors.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, title, "See errors for the fields at fault.", errors);
        }
    }
}
