using Npgsql;

namespace DataMeesh.Seeder.Loading;

/// <summary>
/// Tells a domain's API that its data changed (<see cref="DataLoadNotification"/>). Sent right after the commit: a
/// notification cannot be part of a prepared transaction (PostgreSQL refuses to PREPARE one that sent NOTIFY), so a
/// rolled-back load still announces nothing, and a seeder killed in the instant between commit and announcement leaves
/// the API to notice at its next scheduled quality run.
/// </summary>
internal static class DataLoadAnnouncement
{
    public static async Task SendAsync(NpgsqlDataSource dataSource, string domain, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT pg_notify(@channel, @domain)");
        command.Parameters.AddWithValue("channel", DataLoadNotification.Channel);
        command.Parameters.AddWithValue("domain", domain);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
