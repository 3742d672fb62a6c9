namespace DataMeesh.Tests.Infrastructure;

/// <summary>Hands out fresh databases (or migrated sales/marketing pairs) to a test class and drops them all afterwards.</summary>
public abstract class DatabaseScope : IAsyncLifetime
{
    private readonly List<string> databases = [];
    private readonly List<MigratedDatabases> pairs = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        foreach (var database in databases)
        {
            await PostgresServer.DropDatabaseAsync(database);
        }

        foreach (var pair in pairs)
        {
            await pair.DisposeAsync();
        }
    }

    /// <summary>A connection string to a database that does not exist yet.</summary>
    protected async Task<string> NewDatabaseAsync(string purpose)
    {
        var connectionString = await PostgresServer.NewDatabaseConnectionStringAsync(purpose);
        databases.Add(connectionString);
        return connectionString;
    }

    protected async Task<MigratedDatabases> NewMigratedPairAsync()
    {
        var pair = new MigratedDatabases();
        pairs.Add(pair);
        await pair.InitializeAsync();
        return pair;
    }
}
