using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Seeding;

/// <summary>Leads (marketing) and customers with their order counts (sales), joined by email in the test.</summary>
internal sealed record CrossDomainStory(
    IReadOnlyList<CrossDomainStory.Lead> Converted,
    IReadOnlyList<CrossDomainStory.Lead> NotConverted,
    ILookup<string, CrossDomainStory.Customer> CustomersByEmail)
{
    public sealed record Lead(string Email, DateTime CreatedAt, DateTime? ConvertedAt);

    public sealed record Customer(string Email, DateTime CreatedAt, long Orders);

    public static async Task<CrossDomainStory> ReadAsync(MigratedDatabases databases)
    {
        var leads = (await databases.RowsAsync("marketing", "SELECT email, status, created_at, converted_at FROM leads"))
            .Select(r => (Status: (string)r[1]!, Lead: new Lead((string)r[0]!, (DateTime)r[2]!, (DateTime?)r[3])))
            .ToList();
        var customers = (await databases.RowsAsync("sales",
                "SELECT c.email, c.created_at, (SELECT count(*) FROM orders o WHERE o.customer_id = c.customer_id) FROM customers c"))
            .Select(r => new Customer((string)r[0]!, (DateTime)r[1]!, (long)r[2]!))
            .ToLookup(c => c.Email);
        return new CrossDomainStory(
            [.. leads.Where(l => l.Status == "Converted").Select(l => l.Lead)],
            [.. leads.Where(l => l.Status != "Converted").Select(l => l.Lead)],
            customers);
    }
}
