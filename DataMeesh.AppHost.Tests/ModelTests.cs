using DataMeesh.AppHost.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost.Tests;

/// <summary>The application model: every resource, reference, wait and variable the platform relies on. No Docker needed.</summary>
public sealed class ModelTests(AppModel model) : IClassFixture<AppModel>
{
    public static TheoryData<string> AllResources() =>
    [
        ResourceNames.SalesPostgres, ResourceNames.SalesDatabase, ResourceNames.MarketingPostgres, ResourceNames.MarketingDatabase,
        ResourceNames.MetastorePostgres, ResourceNames.MetastoreDatabase, ResourceNames.Lake, ResourceNames.LakeInit, ResourceNames.HiveMetastore,
        ResourceNames.Trino, ResourceNames.SalesApi, ResourceNames.MarketingApi, ResourceNames.Seeder, ResourceNames.JupyterHub, ResourceNames.Grafana,
        ResourceNames.TokenService,
    ];

    [Theory]
    [MemberData(nameof(AllResources))]
    public void Every_part_of_the_platform_is_a_resource(string name) => Assert.NotNull(model.Get(name));

    [Fact]
    public void Every_password_is_a_secret_parameter()
    {
        Assert.All(PlatformContract.Parameters.Secrets, name => Assert.True(model.Get<ParameterResource>(name).Secret, $"{name} is not secret"));
        Assert.False(model.Get<ParameterResource>(PlatformContract.Parameters.SeedScale).Secret);
        Assert.All(model.Resources.OfType<PostgresServerResource>(), server => Assert.True(server.PasswordParameter.Secret));
    }

    [Theory]
    [InlineData(ResourceNames.Trino, "docker.io", "trinodb/trino", "483")]
    [InlineData(ResourceNames.Lake, "quay.io", "minio/minio", "RELEASE.2025-09-07T16-13-09Z")]
    [InlineData(ResourceNames.LakeInit, "quay.io", "minio/minio", "RELEASE.2025-09-07T16-13-09Z")]
    [InlineData(ResourceNames.Grafana, "docker.io", "grafana/grafana", "13.2.0")]
    [InlineData(ResourceNames.SalesPostgres, "docker.io", "library/postgres", "18.3")]
    [InlineData(ResourceNames.MarketingPostgres, "docker.io", "library/postgres", "18.3")]
    [InlineData(ResourceNames.MetastorePostgres, "docker.io", "library/postgres", "18.3")]
    public void Images_are_pinned(string name, string registry, string image, string tag)
    {
        var annotation = model.Get(name).Annotations.OfType<ContainerImageAnnotation>().Last();
        Assert.Equal(registry, annotation.Registry);
        Assert.Equal(image, annotation.Image);
        Assert.Equal(tag, annotation.Tag);
    }

    [Theory]
    [InlineData(ResourceNames.HiveMetastore, "platform/hive", "Dockerfile")]
    [InlineData(ResourceNames.JupyterHub, "platform", "jupyterhub/Dockerfile")]
    public void Custom_images_are_built_from_platform(string name, string context, string dockerfile)
    {
        var build = model.Get(name).Annotations.OfType<DockerfileBuildAnnotation>().Single();
        Assert.EndsWith(context.Replace('/', Path.DirectorySeparatorChar), Path.TrimEndingDirectorySeparator(build.ContextPath), StringComparison.Ordinal);
        Assert.True(File.Exists(build.DockerfilePath), build.DockerfilePath);
        Assert.EndsWith(dockerfile.Replace('/', Path.DirectorySeparatorChar), build.DockerfilePath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ResourceNames.SalesPostgres, PlatformContract.Volumes.SalesPostgresData)]
    [InlineData(ResourceNames.MarketingPostgres, PlatformContract.Volumes.MarketingPostgresData)]
    [InlineData(ResourceNames.MetastorePostgres, PlatformContract.Volumes.MetastorePostgresData)]
    [InlineData(ResourceNames.Lake, PlatformContract.Volumes.LakeData)]
    [InlineData(ResourceNames.JupyterHub, PlatformContract.Volumes.JupyterHubData)]
    [InlineData(ResourceNames.JupyterHub, PlatformContract.Volumes.JupyterHubHomes)]
    public void Data_lives_in_explicitly_named_volumes(string name, string volume) =>
        Assert.Contains(model.Get(name).Annotations.OfType<ContainerMountAnnotation>(), m => m.Type == ContainerMountType.Volume && m.Source == volume);

    [Fact]
    public void Every_volume_name_is_a_kubernetes_name() =>
        Assert.All(model.Resources.SelectMany(r => r.Annotations.OfType<ContainerMountAnnotation>()).Where(m => m.Type == ContainerMountType.Volume),
            mount => Assert.True(KubernetesText.IsDnsLabel(mount.Source!), $"volume '{mount.Source}'"));

    [Theory]
    [InlineData(ResourceNames.Trino, "platform/trino", PlatformContract.Paths.TrinoEtc)]
    [InlineData(ResourceNames.Grafana, "platform/grafana/provisioning", PlatformContract.Paths.GrafanaProvisioning)]
    [InlineData(ResourceNames.Grafana, "platform/grafana/dashboards", PlatformContract.Paths.GrafanaDashboards)]
    public void Configuration_is_mounted_read_only_from_platform(string name, string source, string target)
    {
        var mount = model.Get(name).Annotations.OfType<ContainerMountAnnotation>().Single(m => m.Target == target);
        Assert.Equal(ContainerMountType.BindMount, mount.Type);
        Assert.True(mount.IsReadOnly);
        Assert.EndsWith(source.Replace('/', Path.DirectorySeparatorChar), mount.Source, StringComparison.Ordinal);
        Assert.True(Directory.Exists(mount.Source), mount.Source);
    }

    [Theory]
    [InlineData(ResourceNames.SalesApi, ResourceNames.SalesDatabase, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.MarketingApi, ResourceNames.MarketingDatabase, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.SalesApi, ResourceNames.TokenService, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.MarketingApi, ResourceNames.TokenService, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.Seeder, ResourceNames.SalesApi, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.Seeder, ResourceNames.MarketingApi, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.LakeInit, ResourceNames.Lake, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.HiveMetastore, ResourceNames.MetastoreDatabase, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.HiveMetastore, ResourceNames.LakeInit, WaitType.WaitForCompletion)]
    [InlineData(ResourceNames.Trino, ResourceNames.HiveMetastore, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.Trino, ResourceNames.LakeInit, WaitType.WaitForCompletion)]
    [InlineData(ResourceNames.JupyterHub, ResourceNames.Trino, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.JupyterHub, ResourceNames.Seeder, WaitType.WaitForCompletion)]
    [InlineData(ResourceNames.Grafana, ResourceNames.Trino, WaitType.WaitUntilHealthy)]
    [InlineData(ResourceNames.Grafana, ResourceNames.Seeder, WaitType.WaitForCompletion)]
    public void Start_up_order(string name, string waitsFor, WaitType how) =>
        Assert.Contains(model.WaitsOf(name), w => w.Resource.Name == waitsFor && w.WaitType == how);

    [Theory]
    [InlineData(ResourceNames.SalesApi, "sales")]
    [InlineData(ResourceNames.MarketingApi, "marketing")]
    [InlineData(ResourceNames.Seeder, "sales")]
    [InlineData(ResourceNames.Seeder, "marketing")]
    public async Task Services_get_their_connection_strings(string name, string connection) =>
        Assert.Contains($"ConnectionStrings__{connection}", (await model.EnvironmentOf(name)).Keys);

    [Theory]
    [InlineData(ResourceNames.SalesApi, PlatformContract.Parameters.SalesReaderPassword, PlatformContract.Parameters.SalesPiiReaderPassword)]
    [InlineData(ResourceNames.MarketingApi, PlatformContract.Parameters.MarketingReaderPassword, PlatformContract.Parameters.MarketingPiiReaderPassword)]
    public async Task Apis_get_the_reader_passwords_the_pii_key_and_trust_the_token_services_published_key(string name, string readerPassword, string piiReaderPassword)
    {
        var env = await model.EnvironmentOf(name);
        Assert.Equal($"{{{readerPassword}.value}}", env[PlatformContract.ApiEnv.ReaderPassword]);
        Assert.Equal($"{{{piiReaderPassword}.value}}", env[PlatformContract.ApiEnv.PiiReaderPassword]);
        // One key for every domain: their pseudonyms (email_hash) join only if they are made with the same key.
        Assert.Equal($"{{{PlatformContract.Parameters.PiiKey}.value}}", env[PlatformContract.ApiEnv.PiiKey]);
        Assert.Equal("datameesh", env[PlatformContract.ApiEnv.JwtIssuer]);
        Assert.Equal("datameesh-api", env[PlatformContract.ApiEnv.JwtAudience]);
        Assert.Equal($"{{{ResourceNames.TokenService}.bindings.http.url}}/.well-known/openid-configuration", env[PlatformContract.ApiEnv.JwtMetadataAddress]);
        Assert.Equal("false", env[PlatformContract.ApiEnv.JwtRequireHttpsMetadata]);
        // No key of any kind: an API can check tokens, never sign one.
        Assert.DoesNotContain(env, e => e.Key.Contains("SigningKey", StringComparison.OrdinalIgnoreCase) || e.Value.Contains(PlatformContract.Parameters.TokenSigningKey, StringComparison.Ordinal));
        Assert.Contains(model.Get(name).Annotations.OfType<HealthCheckAnnotation>(), _ => true);
    }

    [Fact]
    public async Task Only_the_token_service_gets_the_signing_key_and_it_knows_the_hub()
    {
        var env = await model.EnvironmentOf(ResourceNames.TokenService);
        Assert.Equal($"{{{PlatformContract.Parameters.TokenSigningKey}.value}}", env[PlatformContract.TokenEnv.SigningKey]);
        Assert.Equal($"{{{ResourceNames.JupyterHub}.bindings.http.url}}", env[PlatformContract.TokenEnv.JupyterHubUrl]);
        Assert.True(model.Get<ParameterResource>(PlatformContract.Parameters.TokenSigningKey).Secret);

        foreach (var resource in model.Resources.Where(r => r.Name != ResourceNames.TokenService))
        {
            var others = resource is IResourceWithEnvironment ? await model.EnvironmentOf(resource.Name) : [];
            Assert.DoesNotContain(others, e => e.Value.Contains($"{{{PlatformContract.Parameters.TokenSigningKey}.value}}", StringComparison.Ordinal));
        }

        Assert.Contains(model.Get(ResourceNames.TokenService).Annotations.OfType<HealthCheckAnnotation>(), _ => true);
    }

    [Theory]
    [InlineData(ResourceNames.SalesApi)]
    [InlineData(ResourceNames.MarketingApi)]
    [InlineData(ResourceNames.TokenService)]
    public async Task Secret_settings_come_from_secret_parameters(string name)
    {
        var secretParameters = PlatformContract.Parameters.Secrets.Select(p => $"{{{p}.value}}").ToHashSet();
        var env = await model.EnvironmentOf(name);
        var secrets = env.Where(e => PlatformContract.ApiEnv.Secret.Contains(e.Key) || PlatformContract.TokenEnv.Secret.Contains(e.Key)).ToList();
        Assert.NotEmpty(secrets);
        // The developer key is made per run and exists only in run mode; everything else is a secret parameter.
        Assert.All(secrets.Where(e => e.Key != PlatformContract.TokenEnv.DeveloperKey), e => Assert.Contains(e.Value, secretParameters));
    }

    [Fact]
    public async Task The_hub_tells_its_users_servers_where_to_exchange_their_hub_token()
    {
        var env = await model.EnvironmentOf(ResourceNames.JupyterHub);
        Assert.Equal($"{{{ResourceNames.TokenService}.bindings.http.url}}", env[Env.TokenServiceUrl]);
        Assert.DoesNotContain(env.Keys, key => key.Contains("TOKEN", StringComparison.Ordinal) && key != Env.TokenServiceUrl);
    }

    [Theory]
    [InlineData(ResourceNames.SalesApi)]
    [InlineData(ResourceNames.MarketingApi)]
    public void The_apis_have_a_dashboard_command_that_asks_for_roles_and_shows_a_token(string name)
    {
        var command = Assert.Single(model.Get(name).Annotations.OfType<ResourceCommandAnnotation>(), c => c.Name == TokenServiceExtensions.TokenCommandName);
        Assert.Equal("Get a token", command.DisplayName);
        Assert.Equal([TokenServiceExtensions.SubjectArgument, .. PlatformRoles.All], command.Arguments.Select(a => a.Name));
        Assert.All(command.Arguments.Skip(1), a => Assert.Equal(InputType.Boolean, a.InputType));
    }

    public static TheoryData<string, string[]> ContractEnvironment() => new()
    {
        { ResourceNames.Trino, Env.Trino },
        { ResourceNames.HiveMetastore, Env.HiveMetastore },
        { ResourceNames.JupyterHub, Env.JupyterHub },
        { ResourceNames.Grafana, Env.Grafana },
    };

    [Theory]
    [MemberData(nameof(ContractEnvironment))]
    public async Task Containers_get_every_contract_variable_their_files_read(string name, string[] variables)
    {
        var env = await model.EnvironmentOf(name);
        Assert.All(variables, variable => Assert.True(env.ContainsKey(variable), $"{name} lacks {variable}"));
    }

    /// <summary>
    /// Grafana and the notebooks read as the roles without personal columns; Trino as the PII-entitled ones, masking
    /// personal columns per group itself (README, "Personal data").
    /// </summary>
    [Theory]
    [InlineData(ResourceNames.Trino, PlatformContract.Roles.SalesPiiReader, PlatformContract.Roles.MarketingPiiReader,
        PlatformContract.Parameters.SalesPiiReaderPassword, PlatformContract.Parameters.MarketingPiiReaderPassword)]
    [InlineData(ResourceNames.JupyterHub, PlatformContract.Roles.SalesReader, PlatformContract.Roles.MarketingReader,
        PlatformContract.Parameters.SalesReaderPassword, PlatformContract.Parameters.MarketingReaderPassword)]
    [InlineData(ResourceNames.Grafana, PlatformContract.Roles.SalesReader, PlatformContract.Roles.MarketingReader,
        PlatformContract.Parameters.SalesReaderPassword, PlatformContract.Parameters.MarketingReaderPassword)]
    public async Task Consumers_read_the_domains_with_the_read_only_roles(string name, string salesRole, string marketingRole,
        string salesPassword, string marketingPassword)
    {
        var env = await model.EnvironmentOf(name);
        Assert.Equal(salesRole, env[Env.SalesPgUser]);
        Assert.Equal(marketingRole, env[Env.MarketingPgUser]);
        Assert.Equal($"{{{salesPassword}.value}}", env[Env.SalesPgPassword]);
        Assert.Equal($"{{{marketingPassword}.value}}", env[Env.MarketingPgPassword]);
        Assert.Equal(ResourceNames.SalesDatabase, env[Env.SalesPgDb]);
        Assert.Contains(ResourceNames.SalesPostgres, env[Env.SalesPgHost], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_lake_is_s3_generic_and_its_bucket_is_created_first()
    {
        var trino = await model.EnvironmentOf(ResourceNames.Trino);
        Assert.Equal(PlatformContract.Lake.Bucket, trino[Env.DatalakeBucket]);
        Assert.Equal(PlatformContract.Lake.Region, trino[Env.S3Region]);
        Assert.Contains(ResourceNames.Lake, trino[Env.S3Endpoint], StringComparison.Ordinal);
        Assert.Equal($"{{{PlatformContract.Parameters.LakeSecretKey}.value}}", trino[Env.S3SecretKey]);
        Assert.Contains("thrift://", trino[Env.HiveMetastoreUri], StringComparison.Ordinal);

        var args = await model.ArgumentsOf(ResourceNames.LakeInit, DistributedApplicationOperation.Publish);
        Assert.Contains(args, a => a.Contains("mc mb --ignore-existing", StringComparison.Ordinal));
        Assert.DoesNotContain(args, a => a.Contains(TestSecrets.Values[PlatformContract.Parameters.LakeSecretKey], StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ResourceNames.JupyterHub, "http", PlatformContract.Ports.JupyterHubHost, PlatformContract.Ports.JupyterHub)]
    [InlineData(ResourceNames.JupyterHub, "dbt-docs", PlatformContract.Ports.DbtDocsHost, PlatformContract.Ports.DbtDocs)]
    [InlineData(ResourceNames.Grafana, "http", PlatformContract.Ports.GrafanaHost, PlatformContract.Ports.Grafana)]
    [InlineData(ResourceNames.Trino, "http", null, PlatformContract.Ports.Trino)]
    [InlineData(ResourceNames.HiveMetastore, "thrift", null, PlatformContract.Ports.HiveThrift)]
    public void Ports_are_the_documented_ones(string name, string endpoint, int? hostPort, int targetPort)
    {
        var annotation = model.Get(name).Annotations.OfType<EndpointAnnotation>().Single(e => e.Name == endpoint);
        Assert.Equal(hostPort, annotation.Port);
        Assert.Equal(targetPort, annotation.TargetPort);
    }

    [Theory]
    [InlineData(ResourceNames.Trino, "trino_started")]
    [InlineData(ResourceNames.HiveMetastore, "hive-metastore_thrift_listening")]
    public void Trino_and_the_metastore_are_healthy_only_when_they_serve(string name, string key) =>
        Assert.Contains(model.Get(name).Annotations.OfType<HealthCheckAnnotation>(), h => h.Key == key);

    [Fact]
    public async Task Grafana_lets_anyone_look_and_provisions_the_trino_plugin()
    {
        var env = await model.EnvironmentOf(ResourceNames.Grafana);
        Assert.Equal("true", env["GF_AUTH_ANONYMOUS_ENABLED"]);
        Assert.Equal("Viewer", env["GF_AUTH_ANONYMOUS_ORG_ROLE"]);
        Assert.StartsWith("trino-datasource@", env["GF_PLUGINS_PREINSTALL_SYNC"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_part_has_a_memory_limit_and_they_add_up_to_the_documented_total()
    {
        foreach (var (name, mebibytes) in PlatformContract.MemoryMiB.ByResource)
        {
            if (model.Get(name) is ProjectResource)
            {
                var heap = Convert.ToInt64((await model.EnvironmentOf(name))["DOTNET_GCHeapHardLimit"], 16);
                Assert.Equal(mebibytes * 1024L * 1024L * 3 / 4, heap);
            }
            else
            {
                var args = await model.RuntimeArgsOf(name);
                Assert.Equal(["--memory", $"{mebibytes}m"], args.SkipWhile(a => a != "--memory").Take(2));
            }
        }

        var compute = model.Resources.Where(r => r is ContainerResource or ProjectResource).Select(r => r.Name);
        Assert.Equal(compute.Order(), PlatformContract.MemoryMiB.ByResource.Keys.Order());
    }

    [Fact]
    public async Task The_seeder_loads_the_configured_scale() =>
        Assert.Equal(["--scale", "1"], (await model.ArgumentsOf(ResourceNames.Seeder, DistributedApplicationOperation.Run)).Take(2));

    [Fact]
    public async Task The_seed_scale_parameter_can_be_set_on_the_command_line()
    {
        using var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DataMeesh_AppHost>(
            [.. TestSecrets.AsArguments(), $"--Parameters:{PlatformContract.Parameters.SeedScale}=50"]);
        var seeder = builder.Resources.Single(r => r.Name == ResourceNames.Seeder);
        var args = await ExecutionConfigurationBuilder.Create(seeder).WithArgumentsConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

        Assert.Equal(["--scale", "50"], args.Arguments.Select(a => a.Value).Take(2));
    }

    [Fact]
    public void Every_health_check_a_resource_names_is_registered_in_the_built_app()
    {
        var registered = model.App.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations.Select(r => r.Name).ToHashSet();
        var named = model.Resources.SelectMany(r => r.Annotations.OfType<HealthCheckAnnotation>().Select(h => (Resource: r.Name, h.Key))).ToList();

        Assert.NotEmpty(named);
        Assert.All(named, check => Assert.True(registered.Contains(check.Key), $"{check.Resource} waits on health check '{check.Key}', which nobody registered"));
    }

    [Theory]
    [InlineData(ResourceNames.SalesApi)]
    [InlineData(ResourceNames.MarketingApi)]
    public void Apis_have_one_health_check_per_probe_path(string name)
    {
        var keys = model.Get(name).Annotations.OfType<HealthCheckAnnotation>().Select(h => h.Key).ToList();

        Assert.Equal(keys.Distinct().Count(), keys.Count);
        Assert.Single(keys, k => k.EndsWith("/health_200_check", StringComparison.Ordinal));
        Assert.Single(keys, k => k.EndsWith("/alive_200_check", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_lake_serves_s3_and_its_console_with_the_parameter_keys_and_a_liveness_check()
    {
        var lake = model.Get(ResourceNames.Lake);
        var endpoints = lake.Annotations.OfType<EndpointAnnotation>().ToDictionary(e => e.Name, e => e.TargetPort);
        Assert.Equal(PlatformContract.Ports.Lake, endpoints["http"]);
        Assert.Equal(PlatformContract.Ports.LakeConsole, endpoints["console"]);

        var env = await model.EnvironmentOf(ResourceNames.Lake);
        Assert.Equal($"{{{PlatformContract.Parameters.LakeAccessKey}.value}}", env["MINIO_ROOT_USER"]);
        Assert.Equal($"{{{PlatformContract.Parameters.LakeSecretKey}.value}}", env["MINIO_ROOT_PASSWORD"]);
        Assert.Contains(lake.Annotations.OfType<ContainerMountAnnotation>(), m => m.Source == PlatformContract.Volumes.LakeData && m.Target == "/data");
        Assert.Contains(lake.Annotations.OfType<HealthCheckAnnotation>(), h => h.Key.Contains("/minio/health/live", StringComparison.Ordinal));
        Assert.Equal(["server", "/data", "--console-address", $":{PlatformContract.Ports.LakeConsole}"],
            await model.ArgumentsOf(ResourceNames.Lake, DistributedApplicationOperation.Run));
    }
}
