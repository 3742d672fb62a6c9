using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

/// <summary>The Hive standalone metastore: where Trino's hive catalog keeps its tables (Thrift).</summary>
internal sealed class HiveMetastoreResource(string name) : ContainerResource(name)
{
    public const string ThriftEndpointName = "thrift";

    public EndpointReference ThriftEndpoint => new(this, ThriftEndpointName);
}

internal static class HiveMetastoreExtensions
{
    /// <summary>
    /// The metastore, built from platform/hive (the pinned apache/hive image plus the JDBC driver and S3A jars). Its
    /// configuration reads the variables the With* methods below set.
    /// </summary>
    public static IResourceBuilder<HiveMetastoreResource> AddHiveMetastore(this IDistributedApplicationBuilder builder) =>
        builder.AddResource(new HiveMetastoreResource(ResourceNames.HiveMetastore))
            // The image name the build is tagged with (the build gives it a content tag), as AddDockerfile names it.
            .WithImage(ResourceNames.HiveMetastore)
            .WithDockerfile(builder.PlatformPath(PlatformContract.Paths.HiveSource))
            .WithEndpoint(targetPort: PlatformContract.Ports.HiveThrift, name: HiveMetastoreResource.ThriftEndpointName, scheme: "tcp")
            .WithMemoryLimit(PlatformContract.MemoryMiB.HiveMetastore)
            .WithTcpListeningCheck(HiveMetastoreResource.ThriftEndpointName);

    /// <summary>The PostgreSQL database the metastore keeps its catalog in (as the server's owner: its schema tool creates the tables).</summary>
    public static IResourceBuilder<HiveMetastoreResource> WithCatalogDatabase(this IResourceBuilder<HiveMetastoreResource> metastore,
        IResourceBuilder<PostgresDatabaseResource> database)
    {
        var server = database.Resource.Parent;
        return metastore
            .WithEnvironment(Env.MetastorePgHost, $"{server.Host}")
            .WithEnvironment(Env.MetastorePgPort, $"{server.Port}")
            .WithEnvironment(Env.MetastorePgDb, database.Resource.DatabaseName)
            .WithEnvironment(Env.MetastorePgUser, $"{server.UserNameReference}")
            .WithEnvironment(Env.MetastorePgPassword, $"{server.PasswordParameter}");
    }

    /// <summary>The lake as the metastore's warehouse: the contract's S3 variables, and the keys under the names its S3A client reads.</summary>
    public static IResourceBuilder<HiveMetastoreResource> WithWarehouse(this IResourceBuilder<HiveMetastoreResource> metastore,
        IResourceBuilder<LakeResource> lake) =>
        metastore
            .WithLake(lake)
            .WithEnvironment(Env.AwsAccessKeyId, lake.Resource.AccessKey)
            .WithEnvironment(Env.AwsSecretAccessKey, lake.Resource.SecretKey);
}
