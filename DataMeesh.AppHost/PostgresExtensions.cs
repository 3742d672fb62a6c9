namespace DataMeesh.AppHost;

/// <summary>A domain's PostgreSQL server and database, and the read-only role consumers (Trino, Grafana, notebooks) use.</summary>
/// <param name="EnvNames">The contract's variables for this domain, in the order host, port, database, user, password
/// (<see cref="PlatformContract.Env.SalesDatabase"/>).</param>
internal sealed record DomainDatabase(
    IResourceBuilder<PostgresServerResource> Server,
    IResourceBuilder<PostgresDatabaseResource> Database,
    IReadOnlyList<string> EnvNames,
    string ReaderRole,
    IResourceBuilder<ParameterResource> ReaderPassword);

internal static class PostgresExtensions
{
    // Pinned rather than inherited from the integration, so an Aspire update cannot move the data directory's major version.
    public const string PostgresTag = "18.3";

    /// <summary>One seeder load at a time holds one; a few spare for an operator's own.</summary>
    public const int MaxPreparedTransactions = 8;

    public static DomainDatabase AddDomainDatabase(this IDistributedApplicationBuilder builder, string serverName, string databaseName,
        IResourceBuilder<ParameterResource> adminPassword, string volume, int memoryMiB, IReadOnlyList<string> envNames, string readerRole,
        IResourceBuilder<ParameterResource> readerPassword)
    {
        var server = builder.AddPostgresServer(serverName, adminPassword, volume, memoryMiB)
            // The seeder commits both domains together with a two-phase commit (PREPARE TRANSACTION); PostgreSQL allows none by default.
            .WithArgs("-c", $"max_prepared_transactions={MaxPreparedTransactions}");
        return new DomainDatabase(server, server.AddDatabase(databaseName), envNames, readerRole, readerPassword);
    }

    public static IResourceBuilder<PostgresDatabaseResource> AddMetastoreDatabase(this IDistributedApplicationBuilder builder,
        IResourceBuilder<ParameterResource> adminPassword) =>
        builder.AddPostgresServer(ResourceNames.MetastorePostgres, adminPassword, PlatformContract.Volumes.MetastorePostgresData,
                PlatformContract.MemoryMiB.MetastorePostgres)
            // The metastore's schema tool needs the database to exist and nothing creates AddDatabase databases on Kubernetes;
            // the image's entrypoint creates POSTGRES_DB on first start everywhere (locally the AppHost's CREATE DATABASE then finds it).
            .WithEnvironment("POSTGRES_DB", ResourceNames.MetastoreDatabase)
            .AddDatabase(ResourceNames.MetastoreDatabase);

    private static IResourceBuilder<PostgresServerResource> AddPostgresServer(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> password, string volume, int memoryMiB) =>
        builder.AddPostgres(name, password: password)
            .WithImageTag(PostgresTag)
            // Explicit name: the generated one contains dots, which Kubernetes rejects as a volume name (microsoft/aspire#17169).
            .WithDataVolume(volume)
            .WithMemoryLimit(memoryMiB);

    /// <summary>The contract's SALES_PG_* / MARKETING_PG_* variables: where the domain database is and how to read it.</summary>
    public static IResourceBuilder<T> WithReaderAccess<T>(this IResourceBuilder<T> consumer, DomainDatabase domain)
        where T : IResourceWithEnvironment
    {
        var server = domain.Server.Resource;
        return consumer
            .WithEnvironment(domain.EnvNames[0], $"{server.Host}")
            .WithEnvironment(domain.EnvNames[1], $"{server.Port}")
            .WithEnvironment(domain.EnvNames[2], domain.Database.Resource.DatabaseName)
            .WithEnvironment(domain.EnvNames[3], domain.ReaderRole)
            .WithEnvironment(domain.EnvNames[4], domain.ReaderPassword);
    }

    /// <summary>Both domains, as every consumer reads them.</summary>
    public static IResourceBuilder<T> WithReaderAccess<T>(this IResourceBuilder<T> consumer, DomainDatabase sales, DomainDatabase marketing)
        where T : IResourceWithEnvironment =>
        consumer.WithReaderAccess(sales).WithReaderAccess(marketing);
}
