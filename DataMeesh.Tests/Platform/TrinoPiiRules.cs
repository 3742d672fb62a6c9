using System.Text;
using System.Text.Json.Nodes;
using DataMeesh.DataProducts.Catalog;

namespace DataMeesh.Tests.Platform;

/// <summary>
/// The generator of the column masks in platform/trino/rules.json: one table rule per dataset with personal columns, each
/// such column masked as the APIs mask it, placed after the rules of the entitled group (<c>platform</c>, first) and before
/// the catch-all read rule, so every other user of the domain catalogs (hub groups, Grafana) gets the masks. Everything
/// else in rules.json is written by hand and kept as it is. <see cref="TrinoPiiMaskTests"/> fails when the file differs
/// from what this produces and says how to regenerate it.
/// </summary>
internal static class TrinoPiiRules
{
    /// <summary>The Trino groups entitled to personal data: their rule comes first and masks nothing.</summary>
    public static readonly string[] EntitledGroups = ["platform"];

    /// <summary>The catalog's schema the domain datasets are in (the PostgreSQL schema <c>public</c>).</summary>
    public const string Schema = "public";

    /// <summary>The mask of a personal column: what the APIs send (<see cref="PiiPolicy.Mask"/>, null stays null).</summary>
    public static string MaskOf(string column) => $"CASE WHEN \"{column}\" IS NULL THEN NULL ELSE '{PiiPolicy.Mask}' END";

    public static IEnumerable<JsonObject> MaskRules(IEnumerable<DataProductDefinition> products) =>
        products.SelectMany(product => product.Datasets.Where(d => d.Columns.Any(c => c.Pii)).Select(dataset => new JsonObject
        {
            ["catalog"] = product.Domain,
            ["schema"] = Schema,
            ["table"] = dataset.Name,
            ["privileges"] = new JsonArray("SELECT"),
            ["columns"] = new JsonArray([.. dataset.Columns.Where(c => c.Pii).Select(c => (JsonNode)new JsonObject { ["name"] = c.Name, ["mask"] = MaskOf(c.Name) })]),
        }));

    /// <summary>A generated rule: a table rule on a domain catalog with column masks.</summary>
    public static bool IsGenerated(JsonObject rule, IEnumerable<string> domains) =>
        rule["columns"] is not null && rule["catalog"]?.GetValue<string>() is { } catalog && domains.Contains(catalog);

    /// <summary><paramref name="rulesJson"/> with its generated rules replaced by those of <paramref name="products"/>.</summary>
    public static string Apply(string rulesJson, IReadOnlyList<DataProductDefinition> products)
    {
        var rules = JsonNode.Parse(rulesJson)!.AsObject();
        var domains = products.Select(p => p.Domain).ToList();
        var tables = rules["tables"]!.AsArray().Select(r => r!.AsObject()).Where(r => !IsGenerated(r, domains)).Select(r => r.DeepClone().AsObject()).ToList();
        // Before the first rule that matches every table of a domain catalog for everyone (no user, group, catalog or table).
        var catchAll = tables.FindIndex(r => r["user"] is null && r["group"] is null && r["role"] is null && r["catalog"] is null && r["table"] is null);
        if (catchAll < 0)
        {
            throw new InvalidDataException("rules.json: the tables section has no catch-all rule ({ \"privileges\": [...] }) to put the masks before");
        }

        tables.InsertRange(catchAll, MaskRules(products));
        rules["tables"] = new JsonArray([.. tables]);
        return Format(rules);
    }

    /// <summary>The file's layout: one rule per line under each section, spaces inside braces and after colons and commas.</summary>
    private static string Format(JsonObject rules)
    {
        var text = new StringBuilder("{\n");
        var sections = rules.ToList();
        for (var i = 0; i < sections.Count; i++)
        {
            var (name, value) = sections[i];
            text.Append($"  \"{name}\": [\n");
            var items = value!.AsArray().Select(Inline).ToList();
            text.Append(string.Join(",\n", items.Select(item => "    " + item))).Append('\n');
            text.Append(i < sections.Count - 1 ? "  ],\n" : "  ]\n");
        }

        return text.Append("}\n").ToString();
    }

    private static string Inline(JsonNode? node) => node switch
    {
        JsonObject o => "{ " + string.Join(", ", o.Select(p => $"{JsonValue.Create(p.Key).ToJsonString()}: {Inline(p.Value)}")) + " }",
        JsonArray a => "[" + string.Join(", ", a.Select(Inline)) + "]",
        null => "null",
        _ => node.ToJsonString(new System.Text.Json.JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }),
    };
}
