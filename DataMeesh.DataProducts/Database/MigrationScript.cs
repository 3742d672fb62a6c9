using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace DataMeesh.DataProducts.Database;

/// <summary>One versioned SQL migration, embedded in the domain API's assembly as <c>Migrations/NNNN_name.sql</c>.</summary>
public sealed partial record MigrationScript(int Version, string Name, string Sql)
{
    public const string ResourcePrefix = "Migrations/";

    /// <summary>SHA-256 of the script with normalised line endings: an edited, already-applied script is refused.</summary>
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql.ReplaceLineEndings("\n"))));

    /// <summary>Every migration embedded in <paramref name="assembly"/>, in version order.</summary>
    public static IReadOnlyList<MigrationScript> LoadFrom(Assembly assembly)
    {
        var scripts = new List<MigrationScript>();
        foreach (var resourceName in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var match = FileNamePattern().Match(resourceName[ResourcePrefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException(
                    $"Migration resource '{resourceName}' must be named NNNN_description.sql (for example 0001_initial_schema.sql).");
            }

            using var stream = assembly.GetManifestResourceStream(resourceName)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            scripts.Add(new MigrationScript(int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups["name"].Value, ExpandIncludes(reader.ReadToEnd(), resourceName)));
        }

        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two migrations share version {duplicate.Key}: {string.Join(", ", duplicate.Select(s => s.Name))}.");
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException($"Assembly {assembly.GetName().Name} embeds no migrations under '{ResourcePrefix}'.");
        }

        return [.. scripts.OrderBy(s => s.Version)];
    }

    /// <summary>
    /// Replaces each <c>-- @include name</c> line with the platform script <c>PlatformMigrations/name.sql</c> embedded in
    /// this library, so both domains share the data-product objects without copying them. The checksum covers the
    /// expanded text: editing an included script after it was applied is refused like editing the migration itself.
    /// </summary>
    private static string ExpandIncludes(string sql, string resourceName) => IncludePattern().Replace(sql, match =>
    {
        var includeName = $"PlatformMigrations/{match.Groups["name"].Value}.sql";
        using var stream = typeof(MigrationScript).Assembly.GetManifestResourceStream(includeName)
            ?? throw new InvalidOperationException($"Migration '{resourceName}' includes '{includeName}', which does not exist.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    });

    [GeneratedRegex(@"^-- @include (?<name>[a-z0-9_]+)[ \t]*\r?$", RegexOptions.Multiline)]
    private static partial Regex IncludePattern();

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();
}
