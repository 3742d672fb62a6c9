using System.Globalization;

namespace DataMeesh.Tests.Platform;

/// <summary>platform/trino is mounted at /etc/trino: every file must be one Trino reads, with keys the reference documents.</summary>
public sealed class TrinoConfigurationTests
{
    private const string Trino = PlatformContract.Paths.TrinoSource;

    // Keys documented in shared/reference/containers.md §1 for each file (Trino 483).
    private static readonly Dictionary<string, string[]> DocumentedKeys = new()
    {
        ["config.properties"] =
        [
            "coordinator", "node-scheduler.include-coordinator", "http-server.http.port", "discovery.uri", "query.max-memory",
            "query.max-memory-per-node", "http-server.process-forwarded",
        ],
        ["node.properties"] = ["node.environment", "node.data-dir", "node.id"],
        ["access-control.properties"] = ["access-control.name", "security.config-file", "security.refresh-period"],
        ["group-provider.properties"] = ["group-provider.name", "file.group-file"],
    };

    private static readonly Dictionary<string, string[]> DocumentedConnectorKeys = new()
    {
        ["postgresql"] =
        [
            "connector.name", "connection-url", "connection-user", "connection-password", "decimal-mapping", "postgresql.array-mapping",
            "postgresql.include-system-tables",
        ],
        ["hive"] =
        [
            "connector.name", "hive.metastore.uri", "fs.s3.enabled", "s3.endpoint", "s3.region", "s3.path-style-access",
            "s3.aws-access-key", "s3.aws-secret-key", "s3.exclusive-create", "s3.max-connections", "s3.socket-timeout",
            "hive.metastore.username", "hive.metastore.thrift.client.connect-timeout", "hive.metastore.thrift.client.read-timeout",
            "hive.metastore-cache-ttl", "hive.non-managed-table-writes-enabled", "hive.storage-format",
        ],
    };

    private static readonly string[] KnownFiles =
    [
        "config.properties", "node.properties", "jvm.config", "access-control.properties", "group-provider.properties", "rules.json", "groups.txt",
    ];

    public static TheoryData<string> PropertiesFiles() =>
        [.. Directory.EnumerateFiles(RepositoryFiles.PathOf(Trino), "*.properties", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(RepositoryFiles.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)];

    [Fact]
    public void Every_file_is_one_trino_reads_from_etc_trino()
    {
        foreach (var file in Directory.EnumerateFiles(RepositoryFiles.PathOf(Trino), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepositoryFiles.PathOf(Trino), file).Replace('\\', '/');
            var known = KnownFiles.Contains(relative) || (relative.StartsWith("catalog/", StringComparison.Ordinal) && relative.EndsWith(".properties", StringComparison.Ordinal) && relative.Count(c => c == '/') == 1);
            Assert.True(known, $"{Trino}/{relative} is mounted into /etc/trino but Trino does not read it");
            Assert.True(KubernetesText.IsConfigMapKey(Path.GetFileName(relative)), $"{relative} cannot be a ConfigMap key");
        }
    }

    [Fact]
    public void The_catalogs_are_sales_marketing_and_hive()
    {
        var catalogs = Directory.EnumerateFiles(RepositoryFiles.PathOf($"{Trino}/catalog"), "*.properties")
            .Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal);
        Assert.Equal(["hive", "marketing", "sales"], catalogs);
    }

    [Theory]
    [MemberData(nameof(PropertiesFiles))]
    public void Properties_parse_and_use_only_documented_keys(string file)
    {
        var properties = RepositoryFiles.ReadProperties(file);
        Assert.NotEmpty(properties);

        string[] documented;
        if (file.Contains("/catalog/", StringComparison.Ordinal))
        {
            Assert.True(properties.TryGetValue("connector.name", out var connector), $"{file} has no connector.name");
            Assert.True(DocumentedConnectorKeys.TryGetValue(connector!, out documented!), $"{file}: connector '{connector}' is not one DataMeesh documents");
        }
        else
        {
            Assert.True(DocumentedKeys.TryGetValue(Path.GetFileName(file), out documented!), $"{file} is not a Trino configuration file");
        }

        Assert.All(properties.Keys, key => Assert.True(documented.Contains(key), $"{file}: '{key}' is not a documented key"));
        // Trino 481 removed the legacy S3 file system; its keys now fail start-up.
        Assert.DoesNotContain(properties.Keys, key => key.StartsWith("hive.s3.", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(PropertiesFiles))]
    public void Every_ENV_placeholder_names_a_variable_the_AppHost_sets_on_trino(string file)
    {
        var text = RepositoryFiles.Read(file);
        Assert.All(RepositoryFiles.Placeholders(text), placeholder =>
            Assert.Matches(@"^\$\{ENV:[A-Z][A-Z0-9_]*\}$", placeholder));
        Assert.All(RepositoryFiles.TrinoEnvReferences(text), name =>
            Assert.True(PlatformContract.Env.Trino.Contains(name), $"{file} reads ${{ENV:{name}}}, which the AppHost does not set on trino"));
    }

    [Theory]
    [InlineData("catalog/sales.properties", PlatformContract.Env.SalesPgUser, PlatformContract.Env.SalesPgPassword, PlatformContract.Env.SalesPgDb)]
    [InlineData("catalog/marketing.properties", PlatformContract.Env.MarketingPgUser, PlatformContract.Env.MarketingPgPassword, PlatformContract.Env.MarketingPgDb)]
    public void Domain_catalogs_connect_with_the_read_only_role_from_the_environment(string file, string user, string password, string database)
    {
        var properties = RepositoryFiles.ReadProperties($"{Trino}/{file}");
        Assert.Equal("postgresql", properties["connector.name"]);
        Assert.Equal($"${{ENV:{user}}}", properties["connection-user"]);
        Assert.Equal($"${{ENV:{password}}}", properties["connection-password"]);
        Assert.EndsWith($"/${{ENV:{database}}}", properties["connection-url"], StringComparison.Ordinal);
        Assert.StartsWith("jdbc:postgresql://", properties["connection-url"], StringComparison.Ordinal);
    }

    [Fact]
    public void Hive_catalog_uses_the_metastore_and_native_S3_with_secrets_from_the_environment()
    {
        var hive = RepositoryFiles.ReadProperties($"{Trino}/catalog/hive.properties");
        Assert.Equal("true", hive["fs.s3.enabled"]);
        Assert.Equal("true", hive["s3.path-style-access"]);
        Assert.Equal($"${{ENV:{PlatformContract.Env.HiveMetastoreUri}}}", hive["hive.metastore.uri"]);
        Assert.Equal($"${{ENV:{PlatformContract.Env.S3Endpoint}}}", hive["s3.endpoint"]);
        Assert.Equal($"${{ENV:{PlatformContract.Env.S3AccessKey}}}", hive["s3.aws-access-key"]);
        Assert.Equal($"${{ENV:{PlatformContract.Env.S3SecretKey}}}", hive["s3.aws-secret-key"]);
        Assert.Equal("true", hive["hive.non-managed-table-writes-enabled"]);
    }

    [Fact]
    public void Coordinator_serves_on_the_contract_port_and_queries_fit_in_the_heap_of_its_memory_limit()
    {
        var config = RepositoryFiles.ReadProperties($"{Trino}/config.properties");
        Assert.Equal("true", config["coordinator"]);
        Assert.Equal("true", config["node-scheduler.include-coordinator"]);
        Assert.Equal(PlatformContract.Ports.Trino.ToString(CultureInfo.InvariantCulture), config["http-server.http.port"]);

        var jvm = File.ReadAllLines(RepositoryFiles.PathOf($"{Trino}/jvm.config")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#')).ToList();
        Assert.All(jvm, option => Assert.StartsWith("-", option, StringComparison.Ordinal));
        Assert.DoesNotContain(jvm, option => option.StartsWith("-Xmx", StringComparison.Ordinal));
        var percent = double.Parse(Assert.Single(jvm, o => o.StartsWith("-XX:MaxRAMPercentage=", StringComparison.Ordinal)).Split('=')[1], CultureInfo.InvariantCulture);

        // Trino keeps 30 % of the heap as headroom; the per-node query limit must fit in the rest.
        var heapMiB = PlatformContract.MemoryMiB.Trino * percent / 100;
        var perNodeMiB = ToMiB(config["query.max-memory-per-node"]);
        Assert.True(perNodeMiB <= heapMiB * 0.7, $"query.max-memory-per-node {perNodeMiB} MiB does not fit a {heapMiB:N0} MiB heap");
        Assert.True(ToMiB(config["query.max-memory"]) >= perNodeMiB);
    }

    [Fact]
    public void Access_control_and_groups_point_at_files_that_are_mounted()
    {
        var accessControl = RepositoryFiles.ReadProperties($"{Trino}/access-control.properties");
        Assert.Equal("file", accessControl["access-control.name"]);
        Assert.True(File.Exists(MountedSource(accessControl["security.config-file"])), "security.config-file is not in platform/trino");

        var groups = RepositoryFiles.ReadProperties($"{Trino}/group-provider.properties");
        Assert.Equal("file", groups["group-provider.name"]);
        Assert.True(File.Exists(MountedSource(groups["file.group-file"])), "file.group-file is not in platform/trino");
    }

    private static string MountedSource(string containerPath)
    {
        Assert.StartsWith(PlatformContract.Paths.TrinoEtc + "/", containerPath, StringComparison.Ordinal);
        return RepositoryFiles.PathOf(Trino + containerPath[PlatformContract.Paths.TrinoEtc.Length..]);
    }

    private static double ToMiB(string size)
    {
        var match = System.Text.RegularExpressions.Regex.Match(size, @"^(\d+(?:\.\d+)?)(MB|GB)$");
        Assert.True(match.Success, $"'{size}' is not a size in MB or GB");
        var value = double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        return match.Groups[2].Value == "GB" ? value * 1024 : value;
    }
}
