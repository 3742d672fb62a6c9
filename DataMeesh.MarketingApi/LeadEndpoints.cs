using System.Net.Mail;
using DataMeesh.DataProducts.Api;
using Npgsql;

namespace DataMeesh.MarketingApi;

/// <param name="Status">New (default), Nurturing, Qualified, Converted or Disqualified.</param>
[WritesDataset("leads")]
public sealed record NewLead(
    string? FirstName, string? LastName, string? Email, string? LeadSource, int? LeadScore,
    string? Company = null, string? JobTitle = null, string? Country = null, string? Status = null, long? CampaignId = null) : IValidatedRequest
{
    public static string InvalidTitle => "The lead is not valid.";

    public void Validate(ValidationErrors errors)
    {
        errors.RequireText("firstName", FirstName, 100);
        errors.RequireText("lastName", LastName, 100);
        errors.RequireText("email", Email, 254);
        if (Email is { Length: > 0 } email && (!MailAddress.TryCreate(email, out var parsed) || parsed.Address != email.Trim()))
        {
            errors.Add("email", "email is not a valid e-mail address.");
        }

        errors.RequireText("leadSource", LeadSource, 50);
        if (LeadScore is not (>= 0 and <= 100)) errors.Add("leadScore", "leadScore must be from 0 to 100.");
        if (CampaignId is <= 0) errors.Add("campaignId", "campaignId must be a campaign's id.");
        foreach (var (field, value) in new[] { ("company", Company), ("jobTitle", JobTitle), ("country", Country) })
        {
            if (value is { Length: > 200 }) errors.Add(field, $"{field} is at most 200 characters.");
        }
    }
}

/// <summary>The created lead, without its personal data (read it back from /leads/{id} with the pii-reader role).</summary>
[ColumnNames]
public sealed record CreatedLead(long LeadId, string LeadSource, int LeadScore, string Status, long? CampaignId, DateTime CreatedAt);

/// <summary>Leads: one lead, and recording a new one.</summary>
public static class LeadEndpoints
{
    public static IEndpointRouteBuilder MapLeadEndpoints(this IEndpointRouteBuilder app)
    {
        var leads = app.MapGroup("/leads").WithTag("Leads", "People who showed interest, and recording new ones.").RequireAuthorization();
        leads.MapGet("/{id}", (long id, HttpContext context, DataProductResults results) => results.WriteOneAsync(context, "leads", id))
            .WithName("GetLead").WithSummary("One lead (personal data masked without pii-reader).")
            .ProducesDatasetRow("leads").ProducesProblem(StatusCodes.Status404NotFound);
        // A lead's e-mail is unique, so the answer (201 or 409) tells whether an address is on file: recording leads takes
        // pii-reader besides marketing-writer, and a caller without it learns nothing from the body it sent.
        leads.MapPost("/", CreateLead).RequireAuthorization(DataProductRoles.PiiWriter).Validates<NewLead>().AcceptsIdempotencyKey()
            .WithName("CreateLead").WithSummary("Records a new lead (roles marketing-writer and pii-reader; Idempotency-Key makes retries safe).")
            .Produces<CreatedLead>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    private static async Task<IResult> CreateLead(NewLead lead, HttpContext context, IdempotentWrites writes)
    {
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
}
