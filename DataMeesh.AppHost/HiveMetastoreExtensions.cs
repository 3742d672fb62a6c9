using Env = DataMeesh.PlatformContract.Env;

namespace DataMeesh.AppHost;

internal static class HiveMetastoreExtensions
{
    public const string ThriftEndpoint = "thrift";

    /// <summary>
    /// The Hive standalone metastore, built from platform/hive (the pinned apache/hive image plus the JDBC driver and S3A jars),
    /// on its own PostgreSQL database, with its warehouse in the lake. Its configuration reads the variables set here.
    /// </summary>
    public static IResourceBuilder<ContainerResource> AddHiveMetastore(this IDistributedApplicationBuilder builder,
        IResourceBuilder<PostgresDatabaseResource> database, Lake lake)
    {
        var server = database.Resource.Parent;
        return builder.AddDockerfile(PlatformContract.Resources.HiveMetastore, builder.PlatformPath(PlatformContract.Paths.HiveSource))
            .WithEndpoint(targetPort: PlatformContract.Ports.HiveThrift, name: ThriftEndpoint, scheme: "tcp")
            .WithEnvironment(Env.MetastorePgHost, $"{server.Host}")
            .WithEnvironment(Env.MetastorePgPort, $"{server.Port}")
            .WithEnvironment(Env.MetastorePgDb, database.Resource.DatabaseName)
            .WithEnvironment(Env.MetastorePgUser, $"{server.UserNameReference}")
            .WithEnvironment(Env.MetastorePgPassword, $"{server.PasswordParameter}")
            .WithEnvironment(Env.AwsAccessKeyId, lake.AccessKey)
            .WithEnvironment(Env.AwsSecretAccessKey, lake.SecretKey)
            .WithLake(lake)
            .WaitFor(database)
            .WithMemoryLimit(PlatformContract.MemoryMiB.HiveMetastore)
            .WithTcpListeningCheck(ThriftEndpoint);
    }
}
