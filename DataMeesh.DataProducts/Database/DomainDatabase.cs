using System.Reflection;

namespace DataMeesh.DataProducts.Database;

/// <summary>The database a domain API owns: the connection it reads (as Aspire injects it) and the migrations it applies.</summary>
/// <param name="ConnectionName">The name under <c>ConnectionStrings</c>, e.g. <c>sales</c>.</param>
/// <param name="ConnectionString">The full connection string, password included (the data source hides it, the bootstrap needs it).</param>
public sealed record DomainDatabase(string ConnectionName, string ConnectionString, IReadOnlyList<MigrationScript> Migrations)
{
    /// <summary>
    /// Service key of the data source that logs in as the connection string says (the schema's owner): migrations, the
    /// reader role's login and the catalog's view of the live schema. Everything else uses the least-privilege data plane.
    /// </summary>
    public const string SchemaOwner = "schema-owner";

    public static DomainDatabase Create(string connectionName, string? connectionString, Assembly migrationsAssembly)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new InvalidOperationException(
                $"Connection string '{connectionName}' is not set. The AppHost injects it; without the AppHost set " +
                $"ConnectionStrings__{connectionName}=\"Host=...;Port=5432;Database={connectionName};Username=...;Password=...\".");
        }

        return new DomainDatabase(connectionName, connectionString, MigrationScript.LoadFrom(migrationsAssembly));
    }
}
