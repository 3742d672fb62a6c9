using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace DataMeesh.Tests.Platform;

/// <summary>platform/hive: a pinned metastore image with the jars it lacks, configured from the AppHost's environment.</summary>
public sealed class HiveMetastoreImageTests
{
    private const string Hive = PlatformContract.Paths.HiveSource;

    private static readonly string[] DocumentedKeys =
    [
        "javax.jdo.option.ConnectionDriverName", "javax.jdo.option.ConnectionURL", "javax.jdo.option.ConnectionUserName",
        "javax.jdo.option.ConnectionPassword", "metastore.thrift.port", "metastore.warehouse.dir", "metastore.warehouse.external.dir",
        "hive.metastore.warehouse.external.dir", "metastore.event.db.notification.api.auth",
        "fs.s3a.endpoint", "fs.s3a.endpoint.region", "fs.s3a.path.style.access", "fs.s3a.connection.ssl.enabled",
        "fs.s3a.aws.credentials.provider", "fs.s3a.access.key", "fs.s3a.secret.key",
    ];

    private static string[] DockerfileLines() =>
        [.. File.ReadAllLines(RepositoryFiles.PathOf($"{Hive}/Dockerfile")).Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#'))];

    public static TheoryData<string> ConfigFiles() =>
        [.. Directory.EnumerateFiles(RepositoryFiles.PathOf($"{Hive}/conf")).Select(f => $"{Hive}/conf/{Path.GetFileName(f)}").Order(StringComparer.Ordinal)];

    [Fact]
    public void Base_image_is_the_pinned_standalone_metastore()
    {
        var from = Assert.Single(DockerfileLines(), l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase));
        Assert.Matches(@"^FROM apache/hive:standalone-metastore-\d+\.\d+\.\d+$", from);
    }

    [Fact]
    public void Jdbc_driver_and_S3_jars_are_pinned_downloads_readable_by_the_metastore_user()
    {
        var lines = DockerfileLines();
        var args = lines.Where(l => l.StartsWith("ARG ", StringComparison.Ordinal))
            .Select(l => l[4..].Split('=', 2)).ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "");
        Assert.All(args, arg => Assert.Matches(@"^\d+\.\d+\.\d+$", arg.Value));

        var downloads = lines.Where(l => l.StartsWith("ADD http", StringComparison.Ordinal)).ToList();
        Assert.Contains(downloads, l => l.Contains("/org/postgresql/postgresql/", StringComparison.Ordinal));
        Assert.Contains(downloads, l => l.Contains("/software/amazon/awssdk/bundle/", StringComparison.Ordinal));
        Assert.All(downloads, add =>
        {
            Assert.StartsWith("ADD https://repo1.maven.org/maven2/", add, StringComparison.Ordinal);
            Assert.DoesNotContain("latest", add, StringComparison.OrdinalIgnoreCase);
            Assert.All(Regex.Matches(add, @"\$\{(\w+)\}").Select(m => m.Groups[1].Value), name => Assert.True(args.ContainsKey(name), $"{name} is not a pinned ARG"));
        });

        var run = string.Join(' ', lines.SkipWhile(l => !l.StartsWith("RUN ", StringComparison.Ordinal)).TakeWhile(l => !l.StartsWith("USER ", StringComparison.Ordinal)));
        Assert.Contains("chmod 0644", run, StringComparison.Ordinal);
        Assert.Contains("hadoop-aws-", run, StringComparison.Ordinal);
        Assert.Equal("USER hive", lines.Last(l => l.StartsWith("USER ", StringComparison.Ordinal)));
    }

    [Fact]
    public void Configuration_is_copied_where_the_entrypoint_links_it_from()
    {
        var lines = DockerfileLines();
        Assert.Contains($"COPY conf/ {PlatformContract.Paths.HiveCustomConf}/", lines);
        var env = string.Join(' ', lines.SkipWhile(l => !l.StartsWith("ENV ", StringComparison.Ordinal)));
        Assert.Contains($"HIVE_CUSTOM_CONF_DIR={PlatformContract.Paths.HiveCustomConf}", env, StringComparison.Ordinal);
        Assert.Contains("DB_DRIVER=postgres", env, StringComparison.Ordinal);
        Assert.Contains($"EXPOSE {PlatformContract.Ports.HiveThrift}", lines);
    }

    [Theory]
    [MemberData(nameof(ConfigFiles))]
    public void Configuration_is_well_formed_with_documented_keys_and_environment_the_AppHost_sets(string file)
    {
        var document = XDocument.Load(RepositoryFiles.PathOf(file));
        Assert.Equal("configuration", document.Root!.Name.LocalName);
        var keys = new HashSet<string>();
        foreach (var property in document.Root.Elements())
        {
            Assert.Equal("property", property.Name.LocalName);
            var name = property.Element("name")?.Value;
            Assert.False(string.IsNullOrWhiteSpace(name), $"{file}: a property without a name");
            Assert.NotNull(property.Element("value"));
            Assert.True(keys.Add(name!), $"{file}: '{name}' is set twice");
            Assert.True(DocumentedKeys.Contains(name), $"{file}: '{name}' is not a documented key");
        }

        var text = RepositoryFiles.Read(file);
        Assert.All(RepositoryFiles.Placeholders(text), p => Assert.Matches(@"^\$\{env\.[A-Z][A-Z0-9_]*\}$", p));
        Assert.All(RepositoryFiles.HadoopEnvReferences(text), name =>
            Assert.True(PlatformContract.Env.HiveMetastore.Contains(name), $"{file} reads ${{env.{name}}}, which the AppHost does not set on the metastore"));
    }

    [Fact]
    public void Metastore_keeps_its_tables_in_the_lake_and_its_password_out_of_the_image()
    {
        var site = Properties($"{Hive}/conf/metastore-site.xml");
        Assert.Equal(PlatformContract.Lake.Warehouse, site["metastore.warehouse.dir"]);
        Assert.Equal(PlatformContract.Lake.ExternalWarehouse, site["metastore.warehouse.external.dir"]);
        Assert.Equal(PlatformContract.Lake.ExternalWarehouse, site["hive.metastore.warehouse.external.dir"]);
        Assert.StartsWith($"s3a://{PlatformContract.Lake.Bucket}/", PlatformContract.Lake.Warehouse, StringComparison.Ordinal);
        Assert.Equal("org.postgresql.Driver", site["javax.jdo.option.ConnectionDriverName"]);
        Assert.Equal($"${{env.{PlatformContract.Env.MetastorePgPassword}}}", site["javax.jdo.option.ConnectionPassword"]);
        Assert.Equal(PlatformContract.Ports.HiveThrift.ToString(System.Globalization.CultureInfo.InvariantCulture), site["metastore.thrift.port"]);

        var core = Properties($"{Hive}/conf/core-site.xml");
        Assert.Equal($"${{env.{PlatformContract.Env.S3Endpoint}}}", core["fs.s3a.endpoint"]);
        Assert.Equal("true", core["fs.s3a.path.style.access"]);
        Assert.DoesNotContain("fs.s3a.secret.key", core.Keys);
    }

    private static Dictionary<string, string> Properties(string file) =>
        XDocument.Load(RepositoryFiles.PathOf(file)).Root!.Elements("property")
            .ToDictionary(p => p.Element("name")!.Value, p => p.Element("value")!.Value);
}
