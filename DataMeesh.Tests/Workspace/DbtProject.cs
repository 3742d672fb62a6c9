using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DataMeesh.Tests.Workspace;

/// <summary>The dbt project under platform/dbt as the tests see it: sources, models with their SQL, and the tests they declare.</summary>
internal sealed partial class DbtProject
{
    public sealed record Column(string Name, IReadOnlyList<YamlNode> Tests);

    public sealed record SourceTable(string Source, string Catalog, string Schema, string Table, IReadOnlyList<Column> Columns);

    public sealed record Model(string Name, string? Description, IReadOnlyList<Column> Columns, string Sql, string SqlPath)
    {
        public IEnumerable<(string Source, string Table)> Sources => SourceCall().Matches(Sql).Select(m => (m.Groups[1].Value, m.Groups[2].Value));

        public IEnumerable<string> Refs => RefCall().Matches(Sql).Select(m => m.Groups[1].Value);
    }

    public static readonly string Root = PlatformFiles.PathOf("dbt");

    public IReadOnlyList<SourceTable> SourceTables { get; }
    public IReadOnlyDictionary<string, Model> Models { get; }
    public IReadOnlyList<string> ModelsWithoutSql { get; }

    private DbtProject(IReadOnlyList<SourceTable> sources, IReadOnlyDictionary<string, Model> models, IReadOnlyList<string> withoutSql)
    {
        SourceTables = sources;
        Models = models;
        ModelsWithoutSql = withoutSql;
    }

    public static string[] YamlFiles() => PlatformFiles.Files("dbt", "*.yml");

    public static DbtProject Load()
    {
        var sqlFiles = PlatformFiles.Files("dbt/models", "*.sql").ToDictionary(p => Path.GetFileNameWithoutExtension(p), p => p);
        var sources = new List<SourceTable>();
        var models = new Dictionary<string, Model>();
        var withoutSql = new List<string>();
        foreach (var file in PlatformFiles.Files("dbt/models", "*.yml"))
        {
            var yaml = PlatformFiles.Yaml(file);
            foreach (var source in yaml.Items("sources"))
            {
                var name = source.Text("name")!;
                sources.AddRange(source.Items("tables").Select(table => new SourceTable(name, source.Text("database") ?? name,
                    source.Text("schema") ?? "public", table.Text("name")!, ColumnsOf(table))));
            }

            foreach (var model in yaml.Items("models"))
            {
                var name = model.Text("name")!;
                if (sqlFiles.TryGetValue(name, out var sqlPath))
                {
                    models[name] = new Model(name, model.Text("description"), ColumnsOf(model), File.ReadAllText(sqlPath), sqlPath);
                }
                else
                {
                    withoutSql.Add(name);
                }
            }
        }

        return new DbtProject(sources, models, withoutSql);
    }

    public static IEnumerable<string> SqlModelNames() => PlatformFiles.Files("dbt/models", "*.sql").Select(p => Path.GetFileNameWithoutExtension(p));

    /// <summary>Name of a generic test (a scalar like "unique", or the single key of a mapping like "accepted_values: …").</summary>
    public static string TestName(YamlNode test) => test switch
    {
        YamlScalarNode scalar => scalar.Value!,
        YamlMappingNode mapping => ((YamlScalarNode)mapping.Children.Single().Key).Value!,
        _ => throw new InvalidDataException($"Unexpected test {test}"),
    };

    public static YamlMappingNode? TestArguments(YamlNode test) =>
        test is YamlMappingNode mapping ? mapping.Children.Single().Value as YamlMappingNode : null;

    /// <summary>
    /// The names a SELECT produces: the items of the outermost, last select list, each named by its alias or its last
    /// identifier (l.lead_id gives lead_id). Enough for the plain staging and mart models this project writes.
    /// </summary>
    public static IReadOnlyList<string> OutputColumns(string sql)
    {
        var text = LineComment().Replace(JinjaComment().Replace(sql, ""), "");
        var (selectAt, fromAt) = (-1, -1);
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\'')
            {
                var closing = text.IndexOf('\'', i + 1);
                i = closing < 0 ? text.Length : closing;
                continue;
            }

            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (depth == 0 && KeywordAt(text, i, "select"))
            {
                (selectAt, fromAt) = (i + "select".Length, -1);
            }
            else if (depth == 0 && selectAt >= 0 && fromAt < 0 && KeywordAt(text, i, "from"))
            {
                fromAt = i;
            }
        }

        if (selectAt < 0 || fromAt < 0)
        {
            throw new InvalidDataException("No outer select … from found.");
        }

        return SplitTopLevel(text[selectAt..fromAt]).Select(item =>
            (Alias().Match(item) is { Success: true } alias ? alias : LastIdentifier().Match(item)).Groups[1].Value).ToList();
    }

    private static List<string> SplitTopLevel(string list)
    {
        var items = new List<string>();
        var current = new StringBuilder();
        var depth = 0;
        foreach (var c in list)
        {
            depth += c == '(' ? 1 : c == ')' ? -1 : 0;
            if (c == ',' && depth == 0)
            {
                items.Add(current.ToString().Trim());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }

        items.Add(current.ToString().Trim());
        return items;
    }

    private static bool KeywordAt(string text, int index, string keyword) =>
        string.Compare(text, index, keyword, 0, keyword.Length, StringComparison.OrdinalIgnoreCase) == 0
        && (index == 0 || !char.IsLetterOrDigit(text[index - 1]) && text[index - 1] != '_')
        && (index + keyword.Length == text.Length || !char.IsLetterOrDigit(text[index + keyword.Length]) && text[index + keyword.Length] != '_');

    private static List<Column> ColumnsOf(YamlMappingNode node) =>
        node.Items("columns").Select(column => new Column(column.Text("name")!,
            (column.Get("tests") ?? column.Get("data_tests")) is YamlSequenceNode tests ? tests.Children.ToList() : [])).ToList();

    [GeneratedRegex(@"source\(\s*'(\w+)'\s*,\s*'(\w+)'\s*\)")]
    private static partial Regex SourceCall();

    [GeneratedRegex(@"ref\(\s*'(\w+)'\s*\)")]
    private static partial Regex RefCall();

    [GeneratedRegex(@"--[^\n]*")]
    private static partial Regex LineComment();

    [GeneratedRegex(@"\{#.*?#\}", RegexOptions.Singleline)]
    private static partial Regex JinjaComment();

    [GeneratedRegex(@"(?i)\bas\s+""?(\w+)""?\s*$")]
    private static partial Regex Alias();

    [GeneratedRegex(@"(\w+)""?\s*$")]
    private static partial Regex LastIdentifier();
}
