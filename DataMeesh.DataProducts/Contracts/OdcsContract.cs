using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Database;
using DataMeesh.DataProducts.Quality;
using YamlDotNet.Serialization;

namespace DataMeesh.DataProducts.Contracts;

/// <summary>Where consumers reach the product's data, stated in every contract's <c>servers</c>.</summary>
/// <param name="PostgresHost">The domain's PostgreSQL, as consumers address it.</param>
/// <param name="TrinoHost">The Trino coordinator; the catalog is named after the domain.</param>
public sealed record ContractServers(string PostgresHost, int PostgresPort, string Database, string TrinoHost, int TrinoPort);

/// <summary>
/// The Open Data Contract Standard (v3.1.0) contract of one dataset, generated from the catalog: the live schema (types,
/// nullability, keys), the team's declarations (descriptions, classification, SLA) and the quality checks the API runs.
/// </summary>
public static class OdcsContract
{
    public const string ApiVersion = "v3.1.0";

    private static readonly ISerializer Yaml = new SerializerBuilder()
        .ConfigureDefaultValuesHandling(DefaultValuesHandling.OmitNull)
        .DisableAliases()
        .Build();

    public static string Id(DataProductDefinition product, Dataset dataset) => $"datameesh-{product.Domain}-{dataset.Name}";

    /// <param name="servers">Null leaves <c>servers</c> out: hosts and ports are for signed-in callers only.</param>
    public static string ToYaml(DataProductDefinition product, Dataset dataset, ContractServers? servers) =>
        Yaml.Serialize(Build(product, dataset, servers));

    public static Dictionary<string, object?> Build(DataProductDefinition product, Dataset dataset, ContractServers? servers)
    {
        var definition = dataset.Definition;
        var sla = new List<object>
        {
            new Dictionary<string, object?> { ["property"] = "frequency", ["value"] = product.UpdateFrequency },
        };
        if (definition.Freshness is { } freshness)
        {
            sla.Add(new Dictionary<string, object?>
            {
                ["property"] = "latency", ["value"] = (int)Math.Ceiling(freshness.MaxAge.TotalHours), ["unit"] = "h",
                ["element"] = $"{dataset.Name}.{freshness.Column}", ["driver"] = "analytics",
                ["description"] = $"The newest {freshness.Column} is at most {freshness.MaxAge.TotalHours:0.#} hours old.",
            });
        }

        return new Dictionary<string, object?>
        {
            ["apiVersion"] = ApiVersion,
            ["kind"] = "DataContract",
            ["id"] = Id(product, dataset),
            ["name"] = dataset.Name,
            ["version"] = product.Version,
            ["status"] = "active",
            ["domain"] = product.Domain,
            ["dataProduct"] = product.Title,
            ["tags"] = new List<string> { product.Domain, dataset.Kind, product.Classification },
            ["description"] = new Dictionary<string, object?>
            {
                ["purpose"] = definition.Description,
                ["usage"] = $"Read through the {product.Domain} API (/datasets/{dataset.Name}/rows), Trino (catalog {product.Domain}) " +
                            $"or PostgreSQL with the read-only role {product.Domain}_reader.",
                ["limitations"] = "Columns classified pii are masked for callers without the pii-reader role.",
            },
            ["schema"] = new List<object> { Schema(dataset) },
            ["servers"] = servers is null ? null : new List<object>
            {
                new Dictionary<string, object?>
                {
                    ["server"] = $"{product.Domain}-postgres", ["type"] = "postgres", ["environment"] = "dev",
                    ["host"] = servers.PostgresHost, ["port"] = servers.PostgresPort, ["database"] = servers.Database, ["schema"] = "public",
                },
                new Dictionary<string, object?>
                {
                    ["server"] = "trino", ["type"] = "trino", ["environment"] = "dev",
                    ["host"] = servers.TrinoHost, ["port"] = servers.TrinoPort, ["catalog"] = product.Domain, ["schema"] = "public",
                },
            },
            ["team"] = new Dictionary<string, object?>
            {
                ["name"] = product.Owner.Team,
                ["members"] = new List<object> { new Dictionary<string, object?> { ["username"] = product.Owner.Contact, ["role"] = "owner" } },
            },
            ["support"] = new List<object>
            {
                new Dictionary<string, object?> { ["channel"] = product.Owner.Team, ["tool"] = "email", ["url"] = "mailto:" + product.Owner.Contact },
            },
            ["roles"] = new List<object>
            {
                new Dictionary<string, object?> { ["role"] = DomainRoles.ReaderOf(product.Domain), ["access"] = "read", ["description"] = "Read-only consumers (Grafana, notebooks): every column but the personal ones (pii)." },
                new Dictionary<string, object?> { ["role"] = DomainRoles.PiiReaderOf(product.Domain), ["access"] = "read", ["description"] = "Read-only, personal data included: Trino's catalog, which masks it for every group but platform." },
                new Dictionary<string, object?> { ["role"] = "pii-reader", ["access"] = "read", ["description"] = "API callers who may see personal data unmasked." },
            },
            ["slaProperties"] = sla,
        }.Where(entry => entry.Value is not null).ToDictionary();
    }

    private static Dictionary<string, object?> Schema(Dataset dataset) => new()
    {
        ["name"] = dataset.Name,
        ["physicalName"] = dataset.Name,
        ["physicalType"] = dataset.Kind,
        ["logicalType"] = "object",
        ["description"] = dataset.Definition.Description,
        ["properties"] = dataset.Columns.Select(column => new Dictionary<string, object?>
        {
            ["name"] = column.Name,
            ["physicalName"] = column.Name,
            ["logicalType"] = column.Type.Kind == ValueKind.Timestamp ? "timestamp" : column.Type.LogicalType,
            ["physicalType"] = column.Type.PhysicalType,
            ["description"] = column.Definition.Description,
            ["required"] = !column.Nullable,
            ["unique"] = column.Unique,
            ["primaryKey"] = column.PrimaryKey ? true : null,
            ["primaryKeyPosition"] = column.PrimaryKey ? dataset.Key.ToList().IndexOf(column) + 1 : null,
            ["classification"] = column.Classification,
        }.Where(entry => entry.Value is not null).ToDictionary()).ToList<object>(),
        ["quality"] = QualityCheck.For(dataset).Select(check => Rule(check)).ToList<object>(),
    };

    private static Dictionary<string, object?> Rule(QualityCheck check)
    {
        var rule = new Dictionary<string, object?>
        {
            ["id"] = check.Name,
            ["name"] = check.Name,
            ["description"] = check.Rule,
            ["type"] = "sql",
            ["query"] = check.Sql,
            ["dimension"] = check.Type switch
            {
                CheckTypes.NotNull => "completeness",
                CheckTypes.Unique => "uniqueness",
                CheckTypes.ForeignKey => "consistency",
                CheckTypes.AcceptedValues => "conformity",
                CheckTypes.Freshness => "timeliness",
                _ => "coverage",
            },
            ["severity"] = check.Severity == Severity.Critical ? "error" : "warning",
            ["unit"] = check.Type == CheckTypes.Freshness ? "hours" : "rows",
            ["scheduler"] = "datameesh",
        };
        if (check.UpperBound is { } upper && upper < long.MaxValue)
        {
            rule["mustBeBetween"] = new List<decimal> { check.Threshold, upper };
        }
        else if (check.UpperBound is not null)
        {
            rule["mustBeGreaterOrEqualTo"] = check.Threshold;
        }
        else
        {
            rule["mustBeLessOrEqualTo"] = check.Threshold;
        }

        return rule;
    }
}
