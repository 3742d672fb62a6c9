using System.Net;
using System.Net.Sockets;
using System.Text;
using DataMeesh.Tests.Infrastructure;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataMeesh.Tests.Platform;

/// <summary>The AppHost's health checks for Trino and the metastore, against real sockets.</summary>
public sealed class HealthCheckTests
{
    [Theory]
    [InlineData("""{"nodeVersion":{"version":"483"},"environment":"datameesh","coordinator":true,"starting":false,"uptime":"1.00m"}""", true)]
    [InlineData("""{"nodeVersion":{"version":"483"},"coordinator":true,"starting":true}""", false)]
    [InlineData("""{"coordinator":true}""", false)]
    [InlineData("""{"starting":"false"}""", false)]
    [InlineData("not json", false)]
    [InlineData("[]", false)]
    public void Trino_is_started_only_when_info_says_starting_false(string json, bool started) =>
        Assert.Equal(started, TrinoStartupCheck.IsStarted(json));

    [Theory]
    [InlineData(false, HealthStatus.Healthy)]
    [InlineData(true, HealthStatus.Unhealthy)]
    public async Task Trino_check_reads_v1_info(bool starting, HealthStatus expected)
    {
        using var server = new OneResponseHttpServer($$"""{"coordinator":true,"starting":{{(starting ? "true" : "false")}}}""");
        var check = new TrinoStartupCheck(() => server.BaseAddress);

        var result = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(expected, result.Status);
        Assert.Equal("/v1/info", await server.RequestedPath);
    }

    [Fact]
    public async Task Trino_check_is_unhealthy_when_nothing_listens()
    {
        var port = LocalPorts.Free();
        var result = await new TrinoStartupCheck(() => new Uri($"http://127.0.0.1:{port}/")).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    [Fact]
    public async Task Tcp_check_is_healthy_when_the_server_keeps_the_connection_open()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepted = listener.AcceptTcpClientAsync();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var result = await new TcpListeningCheck(() => ("127.0.0.1", port), TimeSpan.FromMilliseconds(300)).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Healthy, result.Status);
        (await accepted).Dispose();
    }

    [Fact]
    public async Task Tcp_check_is_unhealthy_when_a_proxy_accepts_and_hangs_up()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var hangUp = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            client.Client.Shutdown(SocketShutdown.Both);
        });

        var result = await new TcpListeningCheck(() => ("127.0.0.1", port), TimeSpan.FromSeconds(3)).CheckHealthAsync(new HealthCheckContext());
        await hangUp;

        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    [Fact]
    public async Task Tcp_check_is_unhealthy_when_nothing_listens()
    {
        var port = LocalPorts.Free();
        var result = await new TcpListeningCheck(() => ("127.0.0.1", port)).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
    }

    /// <summary>Answers one HTTP request with a JSON body and remembers the path asked for.</summary>
    private sealed class OneResponseHttpServer : IDisposable
    {
        private readonly TcpListener listener = new(IPAddress.Loopback, 0);

        public OneResponseHttpServer(string json)
        {
            listener.Start();
            BaseAddress = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/");
            RequestedPath = ServeAsync(json);
        }

        public Uri BaseAddress { get; }

        public Task<string> RequestedPath { get; }

        private async Task<string> ServeAsync(string json)
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII, leaveOpen: true);
            var requestLine = await reader.ReadLineAsync() ?? "";
            while (!string.IsNullOrEmpty(await reader.ReadLineAsync()))
            {
            }

            var body = Encoding.UTF8.GetBytes(json);
            var head = Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
            await stream.WriteAsync(head);
            await stream.WriteAsync(body);
            return requestLine.Split(' ')[1];
        }

        public void Dispose() => listener.Stop();
    }
}
