namespace DataMeesh.AppHost;

/// <summary>
/// How consumers (Trino, Grafana, the notebooks) read a domain: its database, the variables they find it by, and the
/// read-only role with its password (the domain's API gives the role its login; see DataProductApiExtensions.WithReaderPassword).
/// </summary>
internal sealed record DomainReader(
    IResourceBuilder<PostgresDatabaseResource> Database,
    DatabaseVariables Variables,
    string Role,
    IResourceBuilder<ParameterResource> Password);

internal static class PostgresExtensions
{
    /// <summary>A PostgreSQL server of the platform: the pinned image, its data in a named volume, its memory limit.</summary>
    public static IResourceBuilder<PostgresServerResource> AddDataMeeshPostgres(this IDistributedApplicationBuilder builder, string name,
        IResourceBuilder<ParameterResource> password, string volume) =>
        builder.AddPostgres(name, password: password)
            // Before the volume: for tags 18 and later the integration mounts it at /var/lib/postgresql.
            .WithImage(ContainerImages.Postgres)
            // Explicit name: the generated one contains dots, which Kubernetes rejects as a volume name (microsoft/aspire#17169).
            .WithDataVolume(volume)
            .WithMemoryLimit(PlatformContract.MemoryMiB.ByResource[name]);

    /// <summary>One seeder load at a time holds one; a few spare for an operator's own.</summary>
    public const int MaxPreparedTransactions = 8;

    /// <summary>The seeder commits both domains together with a two-phase commit (PREPARE TRANSACTION); PostgreSQL allows none by default.</summary>
    public static IResourceBuilder<PostgresServerResource> WithPreparedTransactions(this IResourceBuilder<PostgresServerResource> server) =>
        server.WithArgs("-c", $"max_prepared_transactions={MaxPreparedTransactions}");

    /// <summary>
    /// A database the image's entrypoint creates on first start (POSTGRES_DB), for a consumer that cannot create its own:
    /// the metastore's schema tool needs it to exist, and nothing creates AddDatabase databases on Kubernetes (locally the
    /// AppHost's CREATE DATABASE then finds it there).
    /// </summary>
    public static IResourceBuilder<PostgresDatabaseResource> AddDatabaseCreatedAtFirstStart(this IResourceBuilder<PostgresServerResource> server,
        string name) =>
        server.WithEnvironment("POSTGRES_DB", name).AddDatabase(name);

    /// <summary>The contract's SALES_PG_* / MARKETING_PG_* variables: where the domain database is and how to read it.</summary>
    public static IResourceBuilder<T> WithReaderAccess<T>(this IResourceBuilder<T> consumer, DomainReader domain)
        where T : IResourceWithEnvironment
    {
        var server = domain.Database.Resource.Parent;
        return consumer
            .WithEnvironment(domain.Variables.Host, $"{server.Host}")
            .WithEnvironment(domain.Variables.Port, $"{server.Port}")
            .WithEnvironment(domain.Variables.Database, domain.Database.Resource.DatabaseName)
            .WithEnvironment(domain.Variables.User, domain.Role)
            .WithEnvironment(domain.Variables.Password, domain.Password);
    }
}
