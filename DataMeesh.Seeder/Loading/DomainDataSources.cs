using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace DataMeesh.Seeder.Loading;

/// <summary>The domains' databases: Aspire's keyed Npgsql data sources, one per domain (see <see cref="SeederHost"/>).</summary>
internal sealed class DomainDataSources(IServiceProvider services, IReadOnlySet<string> configured)
{
    public bool IsConfigured(string domain) => configured.Contains(domain);

    /// <summary>The domain's data source; Aspire's integration throws here when its connection string is missing.</summary>
    public NpgsqlDataSource For(string domain) => services.GetRequiredKeyedService<NpgsqlDataSource>(domain);
}
