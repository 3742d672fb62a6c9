using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>
/// The whole AppHost started once in Docker, as F5 starts it, with the reference sample loaded. The fixture waits for the
/// domain half (three PostgreSQL servers and both APIs healthy, the seeder exited); the platform half (lake, metastore,
/// Trino, Grafana, JupyterHub) only where its images can be had (<see cref="Docker.PlatformHalfMissing"/>), so nothing
/// waits for a resource that can never start.
/// <para>
/// Isolation: the run's volumes are its own (<c>datameesh-e2e-{run}-{volume}</c>, removed afterwards), no endpoint keeps
/// a fixed host port, and every container carries the run's label so the cleanup can prove nothing was left behind.
/// Telemetry goes to <see cref="Telemetry"/>, an OTLP receiver in this process.
/// </para>
/// </summary>
public sealed class RunningPlatform : IAsyncLifetime
{
    private static readonly TimeSpan DomainHalfLimit = TimeSpan.FromMinutes(5);
    // Pulling Trino, JupyterHub and the rest, and building the metastore and JupyterHub images, takes a while on a first run.
    private static readonly TimeSpan PlatformHalfLimit = TimeSpan.FromMinutes(30);
    private const string RunLabel = "org.datameesh.e2e-run";

    private static readonly string[] DomainHalf =
        [ResourceNames.SalesPostgres, ResourceNames.MarketingPostgres, ResourceNames.MetastorePostgres, ResourceNames.SalesApi, ResourceNames.MarketingApi];

    private static readonly string[] PlatformHalf = [ResourceNames.Lake, ResourceNames.HiveMetastore, ResourceNames.Trino, ResourceNames.Grafana, ResourceNames.JupyterHub];

    private DistributedApplication? app;
    private OtlpTraceReceiver? telemetry;
    private readonly List<string> volumes = [];

    public string RunId { get; } = Guid.NewGuid().ToString("N")[..10];

    /// <summary>The id of this run's container of <paramref name="resource"/> (Aspire names it after the resource), for docker exec.</summary>
    public string ContainerOf(string resource)
    {
        var (exitCode, output) = Docker.Run("ps", "--quiet", "--filter", $"label={RunLabel}={RunId}", "--filter", $"name={resource}");
        var ids = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.True(exitCode == 0 && ids.Length == 1, $"expected one running container of {resource} in run {RunId}: {output}");
        return ids[0];
    }

    public DistributedApplication App => app ?? throw new InvalidOperationException("The platform was not started: " + Docker.DomainHalfMissing);

    public OtlpTraceReceiver Telemetry => telemetry ?? throw new InvalidOperationException("The platform was not started.");

    /// <summary>When the seeder exited, and with which code.</summary>
    public (DateTime At, int? ExitCode) SeederExit { get; private set; }

    public IReadOnlyList<string> Volumes => volumes;

    public async Task InitializeAsync()
    {
        if (Docker.DomainHalfMissing is not null)
        {
            return;
        }

        telemetry = await OtlpTraceReceiver.StartAsync();
        using var timeout = new CancellationTokenSource(DomainHalfLimit + (Docker.PlatformHalfMissing is null ? PlatformHalfLimit : TimeSpan.Zero));
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DataMeesh_AppHost>(TestSecrets.AsArguments(), timeout.Token);
        // Dispose waits until DCP has removed the containers, so the cleanup check below sees the end state.
        builder.Configuration["DcpPublisher:WaitForResourceCleanup"] = "true";
        Isolate(builder);
        ExportTelemetryTo(builder, telemetry.Endpoint);

        app = await builder.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);

        using var domainTimeout = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token);
        domainTimeout.CancelAfter(DomainHalfLimit);
        await Task.WhenAll(DomainHalf.Select(name => WaitUntilHealthyAsync(name, domainTimeout.Token)));
        var seeder = await app.ResourceNotifications.WaitForResourceAsync(ResourceNames.Seeder,
            e => KnownResourceStates.TerminalStates.Contains(e.Snapshot.State?.Text), domainTimeout.Token);
        SeederExit = (DateTime.UtcNow, seeder.Snapshot.ExitCode);

        if (Docker.PlatformHalfMissing is null)
        {
            await Task.WhenAll(PlatformHalf.Select(name => WaitUntilHealthyAsync(name, timeout.Token)));
        }
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        if (telemetry is not null)
        {
            await telemetry.DisposeAsync();
        }

        if (Docker.DomainHalfMissing is not null)
        {
            return;
        }

        var (_, left) = Docker.Run("ps", "--all", "--quiet", "--filter", $"label={RunLabel}={RunId}");
        foreach (var volume in volumes)
        {
            Docker.Run("volume", "rm", "--force", volume);
        }

        var (_, volumesLeft) = Docker.Run("volume", "ls", "--quiet", "--filter", $"name=datameesh-e2e-{RunId}-");
        if (left.Length > 0 || volumesLeft.Length > 0)
        {
            throw new InvalidOperationException($"The end-to-end run {RunId} left containers [{left}] or volumes [{volumesLeft}] behind.");
        }
    }

    /// <summary>Healthy, or a clear failure as soon as the resource can no longer become healthy.</summary>
    private async Task WaitUntilHealthyAsync(string name, CancellationToken cancellationToken)
    {
        string[] hopeless = [KnownResourceStates.FailedToStart, KnownResourceStates.Exited, KnownResourceStates.Finished, KnownResourceStates.RuntimeUnhealthy];
        try
        {
            var resource = await App.ResourceNotifications.WaitForResourceAsync(name,
                e => e.Snapshot.HealthStatus == HealthStatus.Healthy || hopeless.Contains(e.Snapshot.State?.Text), cancellationToken);
            if (resource.Snapshot.HealthStatus != HealthStatus.Healthy)
            {
                throw new InvalidOperationException($"{name} will not become healthy: its state is {resource.Snapshot.State?.Text} (exit code {resource.Snapshot.ExitCode?.ToString() ?? "none"}).");
            }
        }
        catch (OperationCanceledException)
        {
            App.ResourceNotifications.TryGetCurrentState(name, out var last);
            throw new TimeoutException($"{name} was not healthy in time: state {last?.Snapshot.State?.Text ?? "unknown"}, health {last?.Snapshot.HealthStatus?.ToString() ?? "unknown"}.");
        }
    }

    /// <summary>Own volumes, no fixed host ports, and the run's label on every container.</summary>
    private void Isolate(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var resource in builder.Resources.OfType<ContainerResource>())
        {
            foreach (var mount in resource.Annotations.OfType<ContainerMountAnnotation>().Where(m => m.Type == ContainerMountType.Volume).ToList())
            {
                var volume = $"datameesh-e2e-{RunId}-{mount.Source}";
                resource.Annotations.Remove(mount);
                resource.Annotations.Add(new ContainerMountAnnotation(volume, mount.Target, ContainerMountType.Volume, mount.IsReadOnly));
                volumes.Add(volume);
            }

            resource.Annotations.Add(new ContainerRuntimeArgsCallbackAnnotation(args =>
            {
                args.Add("--label");
                args.Add($"{RunLabel}={RunId}");
            }));
        }

        foreach (var endpoint in builder.Resources.SelectMany(r => r.Annotations.OfType<EndpointAnnotation>()))
        {
            endpoint.Port = null;
        }
    }

    /// <summary>Every .NET service exports its traces, metrics and logs to the receiver (over OTLP/HTTP, as to the dashboard).</summary>
    private static void ExportTelemetryTo(IDistributedApplicationTestingBuilder builder, Uri endpoint)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            // Added after Aspire's own OTLP callback, so these values win.
            project.Annotations.Add(new EnvironmentCallbackAnnotation(env =>
            {
                env["OTEL_EXPORTER_OTLP_ENDPOINT"] = endpoint.ToString().TrimEnd('/');
                env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
                env["OTEL_BSP_SCHEDULE_DELAY"] = "500";
            }));
        }
    }
}
