using DataMeesh.DataProducts.Database;
using DataMeesh.DataProducts.Quality;
using DataMeesh.DataProducts.Rows;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace DataMeesh.DataProducts.Hosting;

/// <summary>
/// Keeps one connection LISTENing on <see cref="DataLoadNotification.Channel"/> in the domain's database, so a load is
/// measured within seconds of its COMMIT instead of at the next scheduled quality run. The connection is the API's own
/// (unpooled, as the least-privilege role, with keepalives so a dead server is noticed while idle) and is re-established
/// with back-off after an outage. A load may commit while nobody listens, so listening again counts as an announcement.
/// </summary>
internal sealed class DataLoadListener(
    SchemaState schema,
    DomainDatabase database,
    AnnouncedLoads loads,
    ILoggerFactory loggerFactory,
    ILogger<DataLoadListener> logger) : BackgroundService
{
    /// <summary>Idle seconds before Npgsql checks the connection while waiting (a server that vanished without closing it).</summary>
    private const int KeepAliveSeconds = 15;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            // The role and the database exist once the schema is migrated.
            await schema.WhenReady.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await using var dataSource = BuildDataSource();
        var delay = DatabaseRetry.FirstDelay;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                await ListenAsync(connection, stoppingToken);
                if (attempt > 1)
                {
                    loads.Announce(); // a load may have committed while nobody listened
                }

                loads.MarkListenerStarted();
                delay = DatabaseRetry.FirstDelay;
                while (true)
                {
                    // With KeepAlive set, Npgsql wakes every few seconds to check the connection and throws when it is gone.
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                loads.MarkListenerStarted();
                logger.LogWarning("Not listening for data loads: {Reason}. Retrying in {Delay} s", e.Message, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                delay = DatabaseRetry.NextDelay(delay);
            }
        }
    }

    private async Task ListenAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        connection.Notification += OnNotification;
        // LISTEN takes no parameters; the channel is our constant, a plain lower-case identifier.
        await using (var listen = new NpgsqlCommand($"LISTEN {DataLoadNotification.Channel}", connection))
        {
            await listen.ExecuteNonQueryAsync(cancellationToken);
        }

        logger.LogInformation("Listening for data loads into {Domain} on channel {Channel}", database.ConnectionName, DataLoadNotification.Channel);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs notification)
    {
        if (notification.Payload == database.ConnectionName)
        {
            logger.LogInformation("Data loaded into {Domain}: measuring it", database.ConnectionName);
            loads.Announce();
        }
    }

    private NpgsqlDataSource BuildDataSource()
    {
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString)
        {
            ApplicationName = database.ConnectionName + "-api-listener",
            // A pooled connection that stays LISTENing would be handed to requests, or keep the channel after it is returned.
            Pooling = false,
            KeepAlive = KeepAliveSeconds,
        };
        DataPlane.RunAs(connection, DataPlane.RoleOf(database.ConnectionName));
        return new NpgsqlDataSourceBuilder(connection.ConnectionString).UseLoggerFactory(loggerFactory).Build();
    }
}
