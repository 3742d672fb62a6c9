using Npgsql;

namespace DataMeesh.Seeder.Loading;

/// <param name="LoginRefused">The server refused the credentials: waiting would not help.</param>
internal sealed record SchemaProblem(string Message, bool LoginRefused = false);

/// <summary>Waits until a domain's migrations have created every table and column the seeder writes.</summary>
internal static class SchemaProbe
{
    public static async Task<SchemaProblem?> WaitForSchemaAsync(NpgsqlDataSource dataSource, DomainPlan plan, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var problem = await FindMissingAsync(dataSource, plan, cancellationToken);
            if (problem is null || problem.LoginRefused || DateTime.UtcNow >= deadline)
            {
                return problem;
            }

            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
        }
    }

    /// <returns>What is missing, or <c>null</c> when the schema is complete.</returns>
    private static async Task<SchemaProblem?> FindMissingAsync(NpgsqlDataSource dataSource, DomainPlan plan, CancellationToken cancellationToken)
    {
        try
        {
            await using var command = dataSource.CreateCommand("""
                SELECT table_name, column_name
                FROM information_schema.columns
                WHERE table_schema = 'public' AND table_name = ANY(@tables)
                """);
            command.Parameters.AddWithValue("tables", plan.Tables.Select(t => t.Table).ToArray());
            var present = new HashSet<(string, string)>();
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    present.Add((reader.GetString(0), reader.GetString(1)));
                }
            }

            var missing = plan.Tables
                .SelectMany(t => t.Columns.Select(c => (t.Table, Column: c)))
                .Where(tc => !present.Contains(tc))
                .ToList();
            return missing.Count == 0
                ? null
                : new SchemaProblem($"missing {string.Join(", ", missing.Take(5).Select(m => $"{m.Table}.{m.Column}"))}{(missing.Count > 5 ? ", ..." : "")}");
        }
        catch (PostgresException e) when (e.SqlState.StartsWith("28", StringComparison.Ordinal))
        {
            // Class 28, invalid authorization: a wrong password or user. The database not existing yet (3D000) is worth waiting for.
            return new SchemaProblem(e.MessageText, LoginRefused: true);
        }
        catch (NpgsqlException e)
        {
            return new SchemaProblem(e.Message);
        }
    }
}
