using Microsoft.Extensions.Logging.Abstractions;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>
/// The AppHost's model, built as `dotnet run` builds it (the application and its services too, so registrations that
/// only fail when the app is built fail here), without starting anything: no Docker needed.
/// </summary>
public sealed class AppModel : IAsyncLifetime
{
    private IDistributedApplicationTestingBuilder? builder;
    private DistributedApplication? app;

    public IResourceCollection Resources => builder!.Resources;

    /// <summary>The built (never started) application.</summary>
    public DistributedApplication App => app!;

    public async Task InitializeAsync()
    {
        builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.DataMeesh_AppHost>(TestSecrets.AsArguments());
        app = await builder.BuildAsync();
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.DisposeAsync();
        }

        (builder as IDisposable)?.Dispose();
    }

    public IResource Get(string name) =>
        Resources.SingleOrDefault(r => r.Name == name) ?? throw new Xunit.Sdk.XunitException($"The model has no resource '{name}'.");

    public T Get<T>(string name) where T : IResource => Assert.IsAssignableFrom<T>(Get(name));

    /// <summary>Environment as it would be published: references stay expressions such as {sales-reader-password.value}.</summary>
    public async Task<Dictionary<string, string>> EnvironmentOf(string name) =>
        (await ExecutionConfigurationBuilder.Create(Get(name)).WithEnvironmentVariablesConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Publish), NullLogger.Instance)).EnvironmentVariables.ToDictionary();

    public async Task<List<string>> ArgumentsOf(string name, DistributedApplicationOperation operation) =>
        [.. (await ExecutionConfigurationBuilder.Create(Get(name)).WithArgumentsConfig()
            .BuildAsync(new DistributedApplicationExecutionContext(operation), NullLogger.Instance)).Arguments.Select(a => a.Value)];

    public IEnumerable<WaitAnnotation> WaitsOf(string name) => Get(name).Annotations.OfType<WaitAnnotation>();

    public async Task<List<string>> RuntimeArgsOf(string name)
    {
        var args = new List<object>();
        foreach (var annotation in Get(name).Annotations.OfType<ContainerRuntimeArgsCallbackAnnotation>())
        {
            await annotation.Callback(new ContainerRuntimeArgsCallbackContext(args));
        }

        return [.. args.Select(a => a.ToString()!)];
    }
}
