using DataMeesh.DataProducts.Database;
using DataMeesh.DataProducts.Rows;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataMeesh.DataProducts.Hosting;

/// <summary>Where the start-up migration stands; read by the readiness check.</summary>
public sealed class SchemaState
{
    private readonly TaskCompletionSource migrated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile string? failure;
    private volatile bool ready;

    public bool IsReady => ready;
    public string? Failure => failure;

    /// <summary>Completes when the schema is current (what runs on the schema waits for it).</summary>
    public Task WhenReady => migrated.Task;

    internal void MarkReady()
    {
        ready = true;
        migrated.TrySetResult();
    }

    internal void MarkFailed(string reason) => failure = reason;
}

/// <summary>
/// Migrates the domain's database when the service starts. The HTTP server comes up at once (so liveness probes pass);
/// readiness stays unhealthy until the schema is current. An unreachable database is retried with back-off, because on
/// Kubernetes the database may start after us; a migration that is wrong stops the service with a non-zero exit code.
/// </summary>
internal sealed class SchemaMigrationService(
    SchemaMigrator migrator,
    SchemaState state,
    IHostApplicationLifetime lifetime,
    ILogger<SchemaMigrationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await DatabaseRetry.WhileUnreachableAsync(migrator.MigrateAsync, (e, attempt, delay) =>
                logger.LogWarning("Database not reachable for migration (attempt {Attempt}): {Reason}. Retrying in {Delay} s",
                    attempt, e.Message, delay.TotalSeconds), stoppingToken);
            state.MarkReady();
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "Schema migration failed; stopping the service");
            state.MarkFailed(e.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
        }
    }
}

/// <summary>Readiness: unhealthy until the start-up migration has brought the schema to the current version.</summary>
internal sealed class SchemaHealthCheck(SchemaState state) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(state switch
        {
            { IsReady: true } => HealthCheckResult.Healthy("Schema is current."),
            { Failure: { } failure } => HealthCheckResult.Unhealthy($"Schema migration failed: {failure}"),
            _ => HealthCheckResult.Unhealthy("Schema migration has not finished yet."),
        });
}

/// <summary>
/// Readiness: the domain's database answers a trivial query on the data plane (the connections requests use) within the
/// check's time-out. It stands in for Aspire.Npgsql's check, which is disabled (see <see cref="DomainDatabaseExtensions.AddDomainDatabase"/>).
/// </summary>
internal sealed class DatabaseHealthCheck(DataPlane dataPlane) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            // After a database restart the pool's idle connections are dead: a failure on one of them is not an outage.
            // Drop them and ask once more on a fresh connection.
            dataPlane.DataSource.Clear();
        }

        try
        {
            await PingAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("The database does not answer.", e);
        }
    }

    private async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var command = dataPlane.DataSource.CreateCommand("SELECT 1");
        await command.ExecuteScalarAsync(cancellationToken);
    }
}
