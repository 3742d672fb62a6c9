using System.Text.Json.Nodes;

namespace DataMeesh.Tests.DataProducts;

/// <summary>What the attack tests read from an API and its database: values it serves, and checksums of its tables.</summary>
internal static class ServedValues
{
    /// <summary>A page of every dataset, as a PII reader, by column: the attack's bodies and filters use these values.</summary>
    public static async Task<Dictionary<string, List<JsonNode?>>> ReadAsync(DataProductApps apps, string domain, IEnumerable<string> datasets)
    {
        var client = apps.Client(domain, "pii-reader");
        var served = new Dictionary<string, List<JsonNode?>>();
        foreach (var dataset in datasets)
        {
            var page = JsonNode.Parse(await client.GetStringAsync($"/datasets/{dataset}/rows?limit=50"))!;
            foreach (var item in page["items"]!.AsArray())
            {
                foreach (var (column, value) in item!.AsObject())
                {
                    (served.TryGetValue(column, out var list) ? list : served[column] = []).Add(value?.DeepClone());
                }
            }
        }

        return served;
    }

    /// <summary>A checksum of every table of the domain and of its idempotency keys, by table: a refused write changes none.</summary>
    public static async Task<Dictionary<string, string>> ChecksumAsync(DataProductApps apps, string domain)
    {
        var tables = (await apps.Databases.RowsAsync(domain,
                "SELECT table_schema || '.' || table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"))
            .Select(r => (string)r[0]!).Append("datameesh.idempotency_keys");
        var sql = string.Join(" UNION ALL ", tables.Select(t =>
            $"SELECT '{t}', count(*) || ':' || coalesce(md5(string_agg(x::text, '|' ORDER BY x::text)), '') FROM {t} x"));
        return (await apps.Databases.RowsAsync(domain, sql)).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
    }
}
