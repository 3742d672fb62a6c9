namespace DataMeesh.Tests.Platform;

public sealed class KubernetesTextTests
{
    [Theory]
    [InlineData("sales-postgres-data", true)]
    [InlineData("trino-etc-catalog", true)]
    [InlineData("datameesh.apphost-ddcac3dde0-sales-pg-data", false)]
    [InlineData("Sales", false)]
    [InlineData("-sales", false)]
    [InlineData("sales-", false)]
    [InlineData("", false)]
    public void Dns_labels_are_what_kubernetes_accepts_as_volume_names(string name, bool valid) =>
        Assert.Equal(valid, KubernetesText.IsDnsLabel(name));

    [Fact]
    public void Dns_labels_are_at_most_63_characters() =>
        Assert.False(KubernetesText.IsDnsLabel(new string('a', 64)));

    [Theory]
    [InlineData("grafana", "provisioning/datasources", "grafana-provisioning-datasources")]
    [InlineData("trino", "", "trino")]
    [InlineData("Trino", "catalog", "trino-catalog")]
    public void Names_made_from_paths_are_dns_labels(string resource, string folder, string expected)
    {
        var label = KubernetesText.ToDnsLabel(resource, folder);
        Assert.Equal(expected, label);
        Assert.True(KubernetesText.IsDnsLabel(label));
    }

    [Fact]
    public void Long_names_are_cut_to_a_valid_label() =>
        Assert.True(KubernetesText.IsDnsLabel(KubernetesText.ToDnsLabel("grafana", new string('x', 70) + "-")));

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("legend {{label}}", "legend {{`{{`}}label{{`}}`}}")]
    [InlineData("${ENV:SALES_PG_PASSWORD}", "${ENV:SALES_PG_PASSWORD}")]
    [InlineData("a }} b {{", "a {{`}}`}} b {{`{{`}}")]
    public void Helm_delimiters_in_configuration_text_are_escaped(string text, string expected) =>
        Assert.Equal(expected, KubernetesText.EscapeForHelm(text));

    [Fact]
    public void Config_directory_lists_nested_folders_and_maps_them_under_the_target()
    {
        var root = Directory.CreateTempSubdirectory("configdir").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "datasources"));
            Directory.CreateDirectory(Path.Combine(root, "empty"));
            File.WriteAllText(Path.Combine(root, "datasources", "b.yaml"), "b");
            File.WriteAllText(Path.Combine(root, "datasources", "a.yaml"), "a");
            File.WriteAllText(Path.Combine(root, ".hidden"), "x");

            var directory = new ConfigDirectory(root, "/etc/grafana/provisioning");
            var folder = Assert.Single(directory.Folders());

            Assert.Equal("datasources", folder.RelativePath);
            Assert.Equal(["a.yaml", "b.yaml"], folder.Files.Select(Path.GetFileName));
            Assert.Equal("/etc/grafana/provisioning/datasources", directory.TargetOf(folder));
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void A_missing_config_directory_fails_loudly() =>
        Assert.Throws<DirectoryNotFoundException>(() => new ConfigDirectory("/nonexistent/platform/x", "/x").Folders());
}
