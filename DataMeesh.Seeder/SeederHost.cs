using DataMeesh.Seeder.Loading;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataMeesh.Seeder;

/// <summary>
/// The seeder's host: the services' configuration sources (appsettings, environment) and, through ServiceDefaults and
/// Aspire's Npgsql client integration, OpenTelemetry traces and metrics exported to the Aspire dashboard when it runs
/// under the AppHost.
/// </summary>
internal static class SeederHost
{
    /// <param name="settings">Configuration over the environment's (tests pass their connection strings this way).</param>
    public static HostApplicationBuilder CreateBuilder(IEnumerable<KeyValuePair<string, string?>>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ApplicationName = "DataMeesh.Seeder" });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        builder.AddServiceDefaults();
        builder.Logging.AddFilter("Npgsql", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        AddDomainDataSources(builder);
        builder.Services.AddSingleton<PhasePause>();
        builder.Services.AddSingleton<SampleLoader>();
        return builder;
    }

    /// <summary>
    /// One keyed data source per domain, from <c>ConnectionStrings:{domain}</c> (or <c>Aspire:Npgsql:{domain}:ConnectionString</c>)
    /// as the AppHost injects it. A domain without a connection string is only an error when it is to be loaded.
    /// </summary>
    private static void AddDomainDataSources(HostApplicationBuilder builder)
    {
        var configured = new HashSet<string>(StringComparer.Ordinal);
        foreach (var domain in SeedOptions.AllDomains)
        {
            builder.AddKeyedNpgsqlDataSource(domain,
                settings =>
                {
                    if (!string.IsNullOrWhiteSpace(settings.ConnectionString))
                    {
                        configured.Add(domain);
                    }

                    // A console tool has no /health endpoint for it to report to.
                    settings.DisableHealthChecks = true;
                },
                // No command time-out: the end of a large COPY (foreign-key checks of millions of rows) legitimately takes minutes.
                dataSource => dataSource.ConnectionStringBuilder.CommandTimeout = 0);
        }

        builder.Services.AddSingleton(services => new DomainDataSources(services, configured));
    }
}
