using System.Net.Sockets;
using DataMeesh.DataProducts.Database;
using Npgsql;

namespace DataMeesh.DataProducts.Hosting;

/// <summary>
/// Start-up work that needs the database retries while it is unreachable, with back-off from half a second to 30 seconds:
/// on Kubernetes the database may start after the API. Any other failure is the caller's to handle.
/// </summary>
internal static class DatabaseRetry
{
    /// <summary>The first wait; <see cref="NextDelay"/> doubles it up to 30 s (the schedule of every reconnecting loop here).</summary>
    public static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(30);

    public static TimeSpan NextDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxDelay.Ticks));

    /// <param name="retrying">Told of each failed attempt (1, 2, …) and the wait before the next, to log it.</param>
    public static async Task WhileUnreachableAsync(Func<CancellationToken, Task> step, Action<Exception, int, TimeSpan> retrying,
        CancellationToken cancellationToken)
    {
        var delay = FirstDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await step(cancellationToken);
                return;
            }
            catch (Exception e) when (IsTransient(e) && !cancellationToken.IsCancellationRequested)
            {
                retrying(e, attempt, delay);
                await Task.Delay(delay, cancellationToken);
                delay = NextDelay(delay);
            }
        }
    }

    internal static bool IsTransient(Exception e) => e switch
    {
        MigrationException => false,
        NpgsqlException { IsTransient: true } => true,
        // Connection refused / host not found surface as NpgsqlException wrapping a SocketException.
        NpgsqlException { InnerException: SocketException or IOException or TimeoutException } => true,
        PostgresException { SqlState: "57P03" } => true, // the database system is starting up
        _ => false,
    };
}
