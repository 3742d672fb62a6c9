using DataMeesh.DataProducts.Database;
using Npgsql;

namespace DataMeesh.DataProducts.Rows;

/// <summary>
/// The database connection of the API's data plane: pooled, running as the domain's least-privilege role. It is the
/// <see cref="NpgsqlDataSource"/> Aspire's Npgsql client integration registers (configured by <see cref="Configure"/>).
/// </summary>
public sealed class DataPlane(NpgsqlDataSource dataSource)
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await DataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>The role the data plane of <paramref name="domain"/> runs as (created by the platform migration).</summary>
    public static string RoleOf(string domain) => DomainRoles.ApiOf(domain);

    /// <summary>The size of the buffer each data-plane connection reads results into.</summary>
    public const int ResultReadBufferBytes = 64 * 1024;

    /// <summary>
    /// Makes a connection that logs in as the configured user run every statement as the domain's <c>_api</c> role, named
    /// <c>{domain}-api</c> in <c>pg_stat_activity</c>. The data plane never changes session state outside a transaction, so
    /// a pooled connection needs no reset when it is handed back (which would also drop prepared statements), and the few
    /// statement shapes the API issues are prepared once per connection instead of parsed and planned on every request.
    /// Results are read in 64 KB instead of Npgsql's 8 KB: a page of 100 rows (~12 KB) then arrives in one read, not two
    /// or three (measured: 4 % less API CPU per page, bench/README.md); 32 pooled connections hold 2 MB of it.
    /// </summary>
    public static void Configure(NpgsqlConnectionStringBuilder connection, string domain)
    {
        connection.ApplicationName = domain + "-api";
        connection.NoResetOnClose = true;
        connection.MaxAutoPrepare = 64;
        connection.AutoPrepareMinUsages = 2;
        connection.ReadBufferSize = ResultReadBufferBytes;
        RunAs(connection, RoleOf(domain));
    }

    /// <summary>
    /// Every statement runs as <paramref name="role"/>: the role is a start-up parameter of each physical connection, so it
    /// survives any reset (DISCARD ALL, RESET ROLE).
    /// </summary>
    public static void RunAs(NpgsqlConnectionStringBuilder connection, string role) =>
        connection.Options = $"{connection.Options} -c role={role}".Trim();
}
