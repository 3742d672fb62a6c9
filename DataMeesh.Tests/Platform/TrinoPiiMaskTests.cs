extern alias SalesApi;
extern alias MarketingApi;

using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.Tests.DataProducts;
using DataMeesh.Tests.Infrastructure;

namespace DataMeesh.Tests.Platform;

/// <summary>
/// Trino's column masks against the PII declarations: rules.json holds exactly what <see cref="TrinoPiiRules"/> generates
/// from them, and, read as Trino reads it (the first table rule matching user, groups, catalog, schema and table), every user
/// but the entitled group's gets every personal column masked and nothing else. End to end (a query as an analyst) in
/// DataMeesh.AppHost.Tests where Trino's image exists.
/// </summary>
public sealed class TrinoPiiMaskTests(MigratedDatabases databases) : IClassFixture<MigratedDatabases>
{
    public const string RegenerateVariable = "DATAMEESH_WRITE_TRINO_RULES";
    private static readonly DataProductDefinition[] Products = [PiiPolicyTests.Sales, PiiPolicyTests.Marketing];
    private static readonly string RulesPath = RepositoryFiles.PathOf($"{PlatformContract.Paths.TrinoSource}/rules.json");

    [Fact]
    public void Rules_json_holds_the_masks_the_declarations_generate()
    {
        var current = File.ReadAllText(RulesPath).ReplaceLineEndings("\n");
        var expected = TrinoPiiRules.Apply(current, Products);
        if (current != expected && Environment.GetEnvironmentVariable(RegenerateVariable) == "1")
        {
            File.WriteAllText(RulesPath, expected);
            current = expected;
        }

        Assert.True(current == expected,
            "platform/trino/rules.json differs from what the PII declarations (SalesProduct.cs, MarketingProduct.cs) generate. Regenerate it with " +
            $"`{RegenerateVariable}=1 dotnet test DataMeesh.Tests --filter \"FullyQualifiedName~TrinoPiiMaskTests\"` and commit the result. Expected:\n{expected}");
    }

    public static TheoryData<string> TrinoUsers() =>
        new([.. PlatformContract.Users.Groups.Values.SelectMany(u => u), PlatformContract.Users.Grafana, "someone-else"]);

    [Theory]
    [MemberData(nameof(TrinoUsers))]
    public void Every_user_but_the_entitled_group_gets_every_personal_column_masked(string user)
    {
        var groups = PlatformContract.Users.Groups.Where(g => g.Value.Contains(user)).Select(g => g.Key).ToList();
        var entitled = groups.Intersect(TrinoPiiRules.EntitledGroups).Any();
        var tables = JsonNode.Parse(File.ReadAllText(RulesPath))!["tables"]!.AsArray().Select(r => r!.AsObject()).ToList();
        foreach (var product in Products)
        {
            foreach (var dataset in product.Datasets)
            {
                var rule = tables.FirstOrDefault(r => Matches(r["user"], [user]) && Matches(r["group"], groups) && Matches(r["catalog"], [product.Domain])
                                                      && Matches(r["schema"], [TrinoPiiRules.Schema]) && Matches(r["table"], [dataset.Name]));
                Assert.True(rule is not null, $"no table rule lets {user} read {product.Domain}.{TrinoPiiRules.Schema}.{dataset.Name}");
                Assert.Contains("SELECT", rule!["privileges"]!.AsArray().Select(p => p!.GetValue<string>()));
                var masks = (rule["columns"]?.AsArray() ?? []).Select(c => c!.AsObject())
                    .Where(c => c["mask"] is not null).ToDictionary(c => c["name"]!.GetValue<string>(), c => c["mask"]!.GetValue<string>());
                var personal = dataset.Columns.Where(c => c.Pii).Select(c => c.Name).ToList();
                var where = $"{user} reading {product.Domain}.{dataset.Name}";
                if (entitled)
                {
                    Assert.True(masks.Count == 0, $"{where}: the entitled group sees personal data unmasked, but masks {string.Join(", ", masks.Keys)}");
                }
                else
                {
                    Assert.True(personal.Order().SequenceEqual(masks.Keys.Order()), $"{where}: masks [{string.Join(", ", masks.Keys)}], personal columns [{string.Join(", ", personal)}]");
                    Assert.All(personal, c => Assert.Equal(TrinoPiiRules.MaskOf(c), masks[c]));
                }
            }
        }
    }

    /// <summary>A mask must have its column's type: the masks are text, so every personal column must be (Trino: varchar).</summary>
    [Fact]
    public async Task Every_personal_column_is_text_so_its_mask_has_its_type()
    {
        foreach (var product in Products)
        {
            foreach (var (dataset, column) in PiiPolicy.PersonalColumns(product))
            {
                var type = await databases.ScalarAsync<string>(product.Domain,
                    $"SELECT data_type FROM information_schema.columns WHERE table_schema = 'public' AND table_name = '{dataset}' AND column_name = '{column}'");
                Assert.True(type == "text", $"{product.Domain}.{dataset}.{column} is {type ?? "missing"}; its Trino mask is text");
            }
        }
    }

    private static bool Matches(JsonNode? pattern, IReadOnlyCollection<string> values) =>
        pattern is null || values.Any(v => Regex.IsMatch(v, $"^(?:{pattern.GetValue<string>()})$", RegexOptions.None, TimeSpan.FromSeconds(1)));
}
