using System.Reflection;
using DataMeesh.DataProducts.Database;
using DataMeesh.DataProducts.Rows;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataMeesh.DataProducts.Hosting;

public static class DomainDatabaseExtensions
{
    private const string MigrateCommand = "migrate";

    /// <summary>
    /// Registers the domain's database through Aspire's Npgsql client integration (<c>ConnectionStrings:{connectionName}</c>,
    /// settings under <c>Aspire:Npgsql</c>), which brings Npgsql's logging, traces and metrics. The data source it registers
    /// is the API's data plane, running as the least-privilege <c>{connectionName}_api</c> role; migrations and role
    /// administration use <see cref="DomainDatabase.SchemaOwner"/>, which logs in as configured. Also registers the
    /// migrations embedded in <paramref name="migrationsAssembly"/>, the start-up migration and the readiness checks.
    /// </summary>
    public static IHostApplicationBuilder AddDomainDatabase(this IHostApplicationBuilder builder, string connectionName, Assembly migrationsAssembly)
    {
        string? connectionString = null;
        builder.AddNpgsqlDataSource(connectionName,
            settings =>
            {
                // As Aspire resolved it: ConnectionStrings:<name>, else Aspire:Npgsql[:<name>]:ConnectionString.
                connectionString = settings.ConnectionString;
                // Our DatabaseHealthCheck replaces Aspire's. Aspire's has no time-out (a hung server would hang /health) and
                // fails on the first dead pooled connection after a database restart; ours gives up after 5 s and asks once
                // more on a fresh connection, so readiness follows the database, not the pool's leftovers.
                settings.DisableHealthChecks = true;
            },
            dataSource => DataPlane.Configure(dataSource.ConnectionStringBuilder, connectionName));

        // Resolved lazily so a missing connection string becomes a clear message at start-up (see RunOrMigrateAsync),
        // not an exception thrown while the host is still being built. (Aspire's data source, too, only throws when resolved.)
        builder.Services.AddSingleton(_ => DomainDatabase.Create(connectionName, connectionString, migrationsAssembly));
        builder.Services.AddKeyedSingleton(DomainDatabase.SchemaOwner, (services, _) =>
            new NpgsqlDataSourceBuilder(services.GetRequiredService<DomainDatabase>().ConnectionString)
                .UseLoggerFactory(services.GetRequiredService<ILoggerFactory>())
                .Build());
        builder.Services.AddSingleton<DataPlane>();
        builder.Services.AddSingleton<SchemaMigrator>();
        builder.Services.AddSingleton<SchemaState>();
        builder.Services.AddHostedService<SchemaMigrationService>();
        builder.Services.AddHealthChecks()
            .AddCheck<SchemaHealthCheck>("schema")
            .AddCheck<DatabaseHealthCheck>("database", timeout: TimeSpan.FromSeconds(5));
        return builder;
    }

    /// <summary>
    /// <c>dotnet DataMeesh.SalesApi.dll migrate</c> applies the migrations and exits (for operators and deployment jobs);
    /// without arguments the service runs (and migrates on start).
    /// </summary>
    /// <returns>The process exit code: 0 on success, 1 when the migration failed, 2 when the configuration is incomplete.</returns>
    public static async Task<int> RunOrMigrateAsync(this WebApplication app, string[] args)
    {
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("DataMeesh.Startup");
        try
        {
            app.Services.GetRequiredService<DomainDatabase>();
            _ = app.Services.GetService<IOptions<DataProductOptions>>()?.Value; // binds and validates DataProducts:*
        }
        catch (Exception e) when (e is InvalidOperationException or OptionsValidationException)
        {
            logger.LogCritical("Cannot start: {Reason}", e.Message);
            await app.DisposeAsync();
            return 2;
        }

        if (args is not [MigrateCommand, ..])
        {
            await app.RunAsync();
            return Environment.ExitCode;
        }

        try
        {
            var result = await app.Services.GetRequiredService<SchemaMigrator>().MigrateAsync(app.Lifetime.ApplicationStopping);
            logger.LogInformation("Schema at version {Version}; applied {Applied}", result.CurrentVersion,
                result.Applied.Count == 0 ? "nothing" : string.Join(", ", result.Applied));
            return 0;
        }
        catch (Exception e) when (e is MigrationException or NpgsqlException or InvalidOperationException)
        {
            logger.LogError("Migration failed: {Reason}", e.Message);
            return 1;
        }
        finally
        {
            // Flushes the console logger's queue before the process exits.
            await app.DisposeAsync();
        }
    }
}
