using System.Text;
using System.Text.Json.Nodes;
using DataMeesh.DataProducts.Rows;
using DataMeesh.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// The NUL/Unicode set swept over every field of every write the published OpenAPI document describes, on APIs that have
/// not written yet (their own fixture): each hostile value, then a plausible write on the same pool. A value PostgreSQL
/// refuses at bind time once broke the pooled connection for the next write (issue 16, finding 1): here that next write
/// would be a 500.
/// </summary>
public sealed class UnicodeWriteSweepTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    [Theory]
    [InlineData("sales")]
    [InlineData("marketing")]
    public async Task Every_write_field_takes_the_nul_and_unicode_set_with_no_5xx_and_refusals_change_nothing(string domain)
    {
        var api = apps.Api(domain);
        var writer = apps.Client(domain, DataProductApps.WriterRoles(domain));
        var document = JsonNode.Parse(await api.GetStringAsync("/openapi/v1.json"))!.AsObject();
        var datasets = (await (await api.GetAsync("/datasets")).JsonAsync()).EnumerateArray().Select(d => d.GetProperty("name").GetString()!).ToList();
        var attack = new OpenApiAttack(20261203, document, await ServedValues.ReadAsync(apps, domain, datasets), datasets);
        var dataPlane = (domain == "sales" ? apps.Sales.Services : apps.Marketing.Services).GetRequiredService<DataPlane>();
        var failures = new List<string>();
        var sent = 0;
        foreach (var operation in attack.Operations.Where(o => o is { Method: "POST", BodySchema: not null }))
        {
            var path = operation.Path.Replace("{id}", "1", StringComparison.Ordinal);
            string? lastField = null;
            foreach (var (field, value, json) in attack.Substitutions(operation.BodySchema!, OpenApiAttack.Unicode))
            {
                if (field != lastField)
                {
                    // Each field starts on fresh connections, as after a restart or a failover: statements not yet prepared.
                    dataPlane.DataSource.Clear();
                    lastField = field;
                }

                // Twice, as a client retrying a refused request does, then a plausible write on the same pool.
                var before = await ServedValues.ChecksumAsync(apps, domain);
                await writer.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
                var response = await writer.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
                var status = (int)response.StatusCode;
                var body = await response.Content.ReadAsStringAsync();
                var after = await ServedValues.ChecksumAsync(apps, domain);
                var plausible = await writer.PostAsync(path, new StringContent(attack.PlausibleBody(operation.BodySchema!), Encoding.UTF8, "application/json"));
                sent += 3;
                var what = $"POST {path} with {field} = {Escaped(value)}";
                if (status >= 500 || (int)plausible.StatusCode >= 500)
                {
                    failures.Add($"{status}, then {(int)plausible.StatusCode} for a plausible write, after {what}: {body[..Math.Min(body.Length, 200)]}");
                }
                else if (value.Contains('\0', StringComparison.Ordinal) && status != 400)
                {
                    failures.Add($"{status} (not 400) for {what}");
                }

                if (status >= 400 && after.Where(t => before.GetValueOrDefault(t.Key) != t.Value).Select(t => t.Key).ToList() is { Count: > 0 } changed)
                {
                    failures.Add($"{status} for {what} changed {string.Join(", ", changed)}");
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} requests:\n" + string.Join("\n", failures.Take(20)));
        Assert.True(sent > 100, $"Only {sent} requests: the document's write schemas were not found.");
    }

    private static string Escaped(string value) =>
        string.Concat(value.Select(c => c is < ' ' or > '~' ? $"\\u{(int)c:X4}" : c.ToString()));
}
