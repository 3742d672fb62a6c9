using System.Net.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataMeesh;

/// <summary>
/// Healthy when something is listening behind a TCP endpoint, for services without an HTTP health endpoint (the Hive
/// metastore's Thrift port). Connecting is not enough: Aspire's endpoint proxy accepts the connection even while the
/// container is down and then closes it, so the check also requires the connection to stay open for a moment.
/// </summary>
public sealed class TcpListeningCheck(Func<(string Host, int Port)> endpoint, TimeSpan? settle = null) : IHealthCheck
{
    private readonly TimeSpan settle = settle ?? TimeSpan.FromSeconds(1);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var (host, port) = endpoint();
            using var client = new TcpClient();
            using (var connectTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                connectTimeout.CancelAfter(TimeSpan.FromSeconds(5));
                await client.ConnectAsync(host, port, connectTimeout.Token);
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            wait.CancelAfter(settle);
            try
            {
                // A Thrift server sends nothing until asked, so a read that ends with 0 bytes means the other side hung up.
                var read = await client.GetStream().ReadAsync(new byte[1], wait.Token);
                return read == 0
                    ? HealthCheckResult.Unhealthy($"{host}:{port} closed the connection.")
                    : HealthCheckResult.Healthy();
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return HealthCheckResult.Healthy();
            }
        }
        catch (Exception e) when (e is SocketException or IOException or InvalidOperationException or OperationCanceledException)
        {
            return HealthCheckResult.Unhealthy("Not listening yet.", e);
        }
    }
}
