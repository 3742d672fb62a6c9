using System.Text.Json;
using System.Text.RegularExpressions;

namespace DataMeesh.Tests.Platform;

/// <summary>rules.json and groups.txt: they parse, and every user, group and catalog they name exists and matches the contract.</summary>
public sealed class TrinoAccessControlTests
{
    private static readonly string[] Catalogs =
        [.. Directory.EnumerateFiles(RepositoryFiles.PathOf($"{PlatformContract.Paths.TrinoSource}/catalog"), "*.properties").Select(f => Path.GetFileNameWithoutExtension(f)!), "system"];

    // Fields file-based access control accepts per section (Trino docs, security/file-system-access-control.md).
    private static readonly Dictionary<string, string[]> SectionFields = new()
    {
        ["catalogs"] = ["user", "role", "group", "catalog", "allow"],
        ["queries"] = ["user", "role", "group", "queryOwner", "allow"],
        ["schemas"] = ["user", "role", "group", "catalog", "schema", "owner"],
        ["tables"] = ["user", "role", "group", "catalog", "schema", "table", "privileges", "columns", "filter", "filter_environment"],
    };

    private static readonly string[] Allowances = ["all", "read-only", "none"];

    private static readonly string[] QueryPermissions = ["execute", "view", "kill"];

    private static readonly string[] TablePrivileges = ["SELECT", "INSERT", "DELETE", "UPDATE", "OWNERSHIP", "GRANT_SELECT"];

    private static JsonElement Rules() => JsonDocument.Parse(RepositoryFiles.Read($"{PlatformContract.Paths.TrinoSource}/rules.json")).RootElement;

    private static Dictionary<string, string[]> Groups() =>
        File.ReadAllLines(RepositoryFiles.PathOf($"{PlatformContract.Paths.TrinoSource}/groups.txt"))
            .Where(line => line.Trim().Length > 0)
            .Select(line =>
            {
                var parts = line.Split(':');
                Assert.True(parts.Length == 2 && parts[0].Length > 0 && parts[1].Length > 0, $"groups.txt: '{line}' is not group:user1,user2");
                return (Group: parts[0].Trim(), Users: parts[1].Split(',').Select(u => u.Trim()).ToArray());
            })
            .ToDictionary(g => g.Group, g => g.Users);

    [Fact]
    public void Groups_are_the_contract_groups_with_the_contract_users()
    {
        var groups = Groups();
        Assert.Equal(PlatformContract.Users.Groups.Keys.Order(), groups.Keys.Order());
        foreach (var (group, users) in PlatformContract.Users.Groups)
        {
            Assert.Equal(users.Order(), groups[group].Order());
        }
    }

    [Fact]
    public void Rules_use_only_known_sections_and_fields()
    {
        var rules = Rules();
        foreach (var section in rules.EnumerateObject())
        {
            Assert.True(SectionFields.TryGetValue(section.Name, out var fields), $"rules.json: section '{section.Name}' is not used by DataMeesh");
            Assert.Equal(JsonValueKind.Array, section.Value.ValueKind);
            foreach (var rule in section.Value.EnumerateArray())
            {
                Assert.All(rule.EnumerateObject(), field => Assert.Contains(field.Name, fields!));
            }
        }
    }

    [Fact]
    public void Every_group_user_and_catalog_named_in_a_rule_exists()
    {
        var groups = Groups();
        var users = groups.Values.SelectMany(u => u).Append(PlatformContract.Users.Grafana).ToHashSet();
        foreach (var rule in Rules().EnumerateObject().SelectMany(section => section.Value.EnumerateArray()))
        {
            if (rule.TryGetProperty("group", out var group))
            {
                Assert.All(Alternatives(group.GetString()!), g => Assert.True(groups.ContainsKey(g), $"rules.json names group '{g}', which groups.txt lacks"));
            }

            if (rule.TryGetProperty("user", out var user))
            {
                Assert.All(Alternatives(user.GetString()!), u => Assert.True(users.Contains(u), $"rules.json names user '{u}', who is nobody"));
            }

            if (rule.TryGetProperty("catalog", out var catalog))
            {
                Assert.All(Alternatives(catalog.GetString()!), c => Assert.True(Catalogs.Contains(c), $"rules.json names catalog '{c}', which has no file"));
            }

            // A catalog rule allows one level; a query rule a set of permissions.
            if (rule.TryGetProperty("allow", out var allow) && allow.ValueKind == JsonValueKind.String)
            {
                Assert.Contains(allow.GetString(), Allowances);
            }
            else if (rule.TryGetProperty("allow", out var permissions))
            {
                Assert.All(permissions.EnumerateArray(), p => Assert.Contains(p.GetString(), QueryPermissions));
            }

            if (rule.TryGetProperty("privileges", out var privileges))
            {
                Assert.All(privileges.EnumerateArray(), p => Assert.Contains(p.GetString(), TablePrivileges));
            }
        }
    }

    [Theory]
    [InlineData("admin", "sales", "all")]
    [InlineData("dbt", "hive", "all")]
    [InlineData("analyst", "sales", "read-only")]
    [InlineData("analyst", "marketing", "read-only")]
    [InlineData("analyst", "hive", "all")]
    [InlineData("alice", "marketing", "read-only")]
    [InlineData("bob", "sales", "read-only")]
    [InlineData("grafana", "hive", "read-only")]
    [InlineData("grafana", "sales", "read-only")]
    [InlineData("stranger", "sales", "none")]
    [InlineData("stranger", "system", "read-only")]
    public void The_first_matching_catalog_rule_gives_the_contract_access(string user, string catalog, string expected)
    {
        var groups = Groups().Where(g => g.Value.Contains(user)).Select(g => g.Key).ToList();
        var rule = Rules().GetProperty("catalogs").EnumerateArray().First(r =>
            Matches(r, "user", [user]) && Matches(r, "group", groups) && Matches(r, "catalog", [catalog]));
        Assert.Equal(expected, rule.GetProperty("allow").GetString());
    }

    /// <summary>
    /// Mike's churn predictions (notebook 05) live in hive.sales: sales users create and replace them, everyone else with the
    /// hive catalog (the other groups, Grafana for the Executive Overview and the PDF report) only reads them.
    /// </summary>
    [Theory]
    [InlineData("alice", true, "SELECT,INSERT,DELETE,UPDATE,OWNERSHIP")]
    [InlineData("admin", true, "SELECT,INSERT,DELETE,UPDATE,OWNERSHIP,GRANT_SELECT")]
    [InlineData("bob", false, "SELECT")]
    [InlineData("analyst", false, "SELECT")]
    [InlineData("grafana", false, "SELECT")]
    public void Churn_predictions_in_hive_sales_are_written_by_sales_and_read_by_the_rest(string user, bool ownsSchema, string privileges)
    {
        var groups = Groups().Where(g => g.Value.Contains(user)).Select(g => g.Key).ToList();
        bool Applies(JsonElement rule, string? schema = null, string? table = null) =>
            Matches(rule, "user", [user]) && Matches(rule, "group", groups) && Matches(rule, "catalog", ["hive"])
            && (schema is null || Matches(rule, "schema", [schema])) && (table is null || Matches(rule, "table", [table]));

        var catalog = Rules().GetProperty("catalogs").EnumerateArray().First(r => Applies(r)).GetProperty("allow").GetString();
        var schemaRule = Rules().GetProperty("schemas").EnumerateArray().First(r => Applies(r, "sales"));
        var tableRule = Rules().GetProperty("tables").EnumerateArray().First(r => Applies(r, "sales", "churn_predictions"));

        Assert.Equal(user == "grafana" ? "read-only" : "all", catalog);
        Assert.Equal(ownsSchema, schemaRule.GetProperty("owner").GetBoolean());
        Assert.Equal(privileges, string.Join(',', tableRule.GetProperty("privileges").EnumerateArray().Select(p => p.GetString())));
    }

    /// <summary>
    /// Query text can hold personal data (a WHERE on an e-mail), so only the platform group sees and kills other users'
    /// queries (Trino lets everyone see and kill their own); everyone else may only run queries. Without a queries section
    /// Trino shows every user's query text to everyone, in the web UI and system.runtime.queries.
    /// </summary>
    [Theory]
    [InlineData("admin", "execute,view,kill")]
    [InlineData("dbt", "execute,view,kill")]
    [InlineData("analyst", "execute")]
    [InlineData("alice", "execute")]
    [InlineData("bob", "execute")]
    [InlineData("grafana", "execute")]
    [InlineData("stranger", "execute")]
    public void Only_the_platform_group_sees_other_users_queries(string user, string expected)
    {
        var groups = Groups().Where(g => g.Value.Contains(user)).Select(g => g.Key).ToList();
        var rule = Rules().GetProperty("queries").EnumerateArray().First(r => Matches(r, "user", [user]) && Matches(r, "group", groups));
        Assert.Equal(expected, string.Join(',', rule.GetProperty("allow").EnumerateArray().Select(a => a.GetString())));
    }

    [Fact]
    public void Catalog_rules_end_by_denying_everything_else()
    {
        var last = Rules().GetProperty("catalogs").EnumerateArray().Last();
        Assert.Equal("none", last.GetProperty("allow").GetString());
        Assert.Single(last.EnumerateObject());
    }

    // Trino matches each field as a regex against the whole value; for a group, against any of the user's groups.
    private static bool Matches(JsonElement rule, string field, IReadOnlyCollection<string> values) =>
        !rule.TryGetProperty(field, out var pattern) || values.Any(v => Regex.IsMatch(v, $"^(?:{pattern.GetString()})$"));

    // The names a rule's regex can match; DataMeesh writes them as plain names or (a|b) alternations.
    private static string[] Alternatives(string pattern)
    {
        Assert.Matches(@"^\(?[a-z_-]+(\|[a-z_-]+)*\)?$", pattern);
        return pattern.Trim('(', ')').Split('|');
    }
}
