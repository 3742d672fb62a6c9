namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>The whole platform started once in Docker for the end-to-end tests, with the reference sample loaded.</summary>
public sealed class RunningPlatform : IAsyncLifetime
{
    // Building the metastore and JupyterHub images and pulling the rest takes a while on a first run.
    private static readonly TimeSpan StartLimit = TimeSpan.FromMinutes(30);

    private DistributedApplication? app;

    public DistributedApplication App => app ?? throw new InvalidOperationException("The platform was not started (no Docker).");

    public async Task InitializeAsync()
    {
        if (new RequiresDockerFactAttribute().Skip is not null)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(StartLimit);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DataMeesh_AppHost>(TestSecrets.AsArguments(), timeout.Token);
        app = await builder.BuildAsync(timeout.Token);
        await app.StartAsync(timeout.Token);
        foreach (var resource in (string[])[PlatformContract.Resources.Trino, ResourceNames.SalesApi, ResourceNames.MarketingApi,
                     PlatformContract.Resources.JupyterHub, PlatformContract.Resources.Grafana])
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }
    }
}
