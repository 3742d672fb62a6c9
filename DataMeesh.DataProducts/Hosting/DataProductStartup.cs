using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Database;
using DataMeesh.DataProducts.Quality;
using DataMeesh.DataProducts.Rows;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace DataMeesh.DataProducts.Hosting;

/// <summary>
/// Once the schema is current: gives the read-only consumer roles their logins (when passwords are configured), stores the
/// pseudonym key (DataProducts:PiiKey), loads the catalog from the live schema, then runs the quality checks at start, after
/// announced loads and on a schedule (once between all replicas on the database), and prunes expired idempotency keys and
/// old quality history.
/// </summary>
internal sealed class DataProductStartup(
    SchemaState schema,
    [FromKeyedServices(DomainDatabase.SchemaOwner)] NpgsqlDataSource schemaOwner,
    DataPlane dataPlane,
    ProductCatalog catalog,
    QualityMonitor quality,
    AnnouncedLoads loads,
    IOptions<DataProductOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<DataProductStartup> logger) : BackgroundService
{
    public static readonly TimeSpan IdempotencyKeyRetention = TimeSpan.FromHours(24);
    private static readonly TimeSpan QualityHistoryRetention = TimeSpan.FromDays(90);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await schema.WhenReady.WaitAsync(stoppingToken);
            await RetryWhileUnreachableAsync(EnableReaderLoginsWhenUncontestedAsync, stoppingToken);
            await RetryWhileUnreachableAsync(ApplyPiiKeyAsync, stoppingToken);
            await RetryWhileUnreachableAsync(token => catalog.LoadAsync(schemaOwner, token), stoppingToken);
            logger.LogInformation("Data product {Domain} publishes {Count} datasets", catalog.Definition.Domain, catalog.Datasets.Count);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        catch (CatalogException e)
        {
            logger.LogCritical("{Reason}", e.Message);
            Environment.ExitCode = 1;
            lifetime.StopApplication();
            return;
        }

        var interval = options.Value.Quality.Interval;
        var trigger = QualityTrigger.Startup;
        await SafelyAsync(quality.LoadLatestAsync, stoppingToken);
        try
        {
            // From here on every committed load is announced, so the start-up run misses none (see ListenerStarted).
            await loads.ListenerStarted.WaitAsync(stoppingToken);
            while (!stoppingToken.IsCancellationRequested)
            {
                var sinceAnnounced = loads.MarkMeasured(); // what was announced until now, this run sees
                // Replicas share the database: a run of another replica that started within the window stands for this one
                // (see QualityMonitor.RunUnlessMeasuredWithinAsync). Start-up and schedule: any run less than an interval
                // ago, so N replicas make one scheduled run per interval and a restarting (or crash-looping) replica adds
                // none. Load: every replica hears the announcement; the first to settle measures it, and the others skip
                // a run that started after the announcement reached them.
                var window = trigger == QualityTrigger.Load ? sinceAnnounced : interval;
                await SafelyAsync(token => quality.RunUnlessMeasuredWithinAsync(trigger, window, token), stoppingToken);
                await SafelyAsync(PruneAsync, stoppingToken);
                trigger = await loads.WaitAsync(interval, stoppingToken) ? QualityTrigger.Load : QualityTrigger.Schedule;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // stopping
        }
    }

    /// <summary>
    /// Roles belong to the whole cluster: replicas starting together (or several databases of one server) may alter the
    /// reader roles at the same moment, and PostgreSQL refuses the loser with "tuple concurrently updated". The statements
    /// are idempotent, so the loser simply tries again.
    /// </summary>
    private async Task EnableReaderLoginsWhenUncontestedAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var domain = catalog.Definition.Domain;
                await EnableLoginAsync(DomainRoles.ReaderOf(domain), options.Value.ReaderPassword, "ReaderPassword",
                    "read-only consumers without personal data: Grafana, notebooks", cancellationToken);
                await EnableLoginAsync(DomainRoles.PiiReaderOf(domain), options.Value.PiiReaderPassword, "PiiReaderPassword",
                    "read-only with personal data: Trino's catalog", cancellationToken);
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.InternalError
                                              && e.MessageText.Contains("concurrently", StringComparison.Ordinal) && attempt < 10)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(20, 200)), cancellationToken);
            }
        }
    }

    /// <summary>
    /// Makes <paramref name="role"/> a login role with the configured password. The password travels as a bind parameter
    /// and is used inside the server, so it appears in no statement text (and no log).
    /// </summary>
    private async Task EnableLoginAsync(string role, string? password, string setting, string purpose, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(password))
        {
            logger.LogInformation("No DataProducts:{Setting} configured: role {Role} stays without login", setting, role);
            return;
        }

        await using var connection = await schemaOwner.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var command = new NpgsqlCommand("""
            SELECT set_config('datameesh.reader_role', @role, true), set_config('datameesh.reader_password', @password, true)
            """, connection, transaction))
        {
            command.Parameters.AddWithValue("role", role);
            command.Parameters.AddWithValue("password", password);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var command = new NpgsqlCommand("""
            DO $$ BEGIN
                EXECUTE format('ALTER ROLE %I WITH LOGIN PASSWORD %L',
                               current_setting('datameesh.reader_role'), current_setting('datameesh.reader_password'));
            END $$
            """, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Role {Role} can log in ({Purpose})", role, purpose);
    }

    /// <summary>
    /// Before the catalog loads (so before /health is Healthy, which the AppHost's seeder waits for): the pseudonym key is
    /// in the database before the first load, and every row the load writes gets its email_hash from the trigger.
    /// </summary>
    private async Task ApplyPiiKeyAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.Value.PiiKey))
        {
            logger.LogWarning("No DataProducts:PiiKey configured: email_hash stays empty, so consumers without personal data cannot join domains");
            return;
        }

        await using var connection = await schemaOwner.OpenConnectionAsync(cancellationToken);
        var rows = await PiiKeys.ApplyAsync(connection, options.Value.PiiKey, cancellationToken);
        logger.LogInformation("Pseudonym key applied; {Rows} rows (re-)hashed", rows);
    }

    private async Task PruneAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataPlane.OpenConnectionAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            DELETE FROM datameesh.idempotency_keys WHERE created_at < now() - @keys;
            DELETE FROM datameesh.quality_runs WHERE started_at < now() - @history;
            """, connection);
        command.Parameters.AddWithValue("keys", IdempotencyKeyRetention);
        command.Parameters.AddWithValue("history", QualityHistoryRetention);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private Task RetryWhileUnreachableAsync(Func<CancellationToken, Task> step, CancellationToken cancellationToken) =>
        DatabaseRetry.WhileUnreachableAsync(step, (e, _, delay) =>
            logger.LogWarning("Database not reachable: {Reason}. Retrying in {Delay} s", e.Message, delay.TotalSeconds), cancellationToken);

    private async Task SafelyAsync(Func<CancellationToken, Task> work, CancellationToken cancellationToken)
    {
        try
        {
            await work(cancellationToken);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException && !cancellationToken.IsCancellationRequested)
        {
            // The database is away: keep the last report and try again at the next interval.
            logger.LogWarning("Background data-product work failed, will retry: {Reason}", e.Message);
        }
    }
}

/// <summary>Readiness: unhealthy until the catalog is loaded from the live schema.</summary>
internal sealed class CatalogHealthCheck(ProductCatalog catalog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(catalog.IsLoaded ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The catalog is not loaded yet."));
}
