using System.Text.RegularExpressions;
using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Platform;
using DataMeesh.Tests.Workspace;
using Npgsql;

namespace DataMeesh.Tests.Readme;

/// <summary>
/// README.md, "Without Docker": the recipe block runs as written (only its server line points at a PostgreSQL server of
/// this test's own) in bash, from the repository root, and ends with both APIs answering a token it minted itself. So
/// the recipe sets everything it needs (reader password, signing key, the APIs' token settings, a token) and cannot rot.
/// </summary>
public sealed partial class WithoutDockerRecipeTests
{
    // The services' ports in their launch settings, which `dotnet run` uses.
    private static readonly int[] ServicePorts = [5101, 5102, 5103];

    [Fact]
    public async Task The_without_docker_recipe_runs_as_written_and_ends_with_rows_from_both_apis()
    {
        var readme = RepositoryFiles.Read("README.md");
        var section = readme[readme.IndexOf("### Without Docker", StringComparison.Ordinal)..];
        var recipe = BashBlock().Match(section).Groups["body"].Value;
        Assert.Matches(ServerLine(), recipe);
        foreach (var port in ServicePorts)
        {
            Assert.True(LocalPorts.IsFree(port), $"Port {port} is in use: the recipe's services listen there (launchSettings.json). Stop what uses it.");
        }

        await using var server = await PrivatePostgres.StartNewAsync();
        var work = Directory.CreateTempSubdirectory("datameesh-recipe-");
        try
        {
            // The harness around the recipe: stop on the first failing command, and stop the services it started in the
            // background when it ends (they share this shell's process group: setsid below).
            var script = Path.Combine(work.FullName, "recipe.sh");
            await File.WriteAllTextAsync(script, $"""
                set -euo pipefail
                trap 'status=$?; trap "" TERM; kill -TERM -- -$$ 2>/dev/null || true; wait || true; exit $status' EXIT
                cd '{RepositoryFiles.Root}'
                {ServerLine().Replace(recipe, $"export DATAMEESH_POSTGRES=\"{server.AdminConnectionString}\"")}
                """);
            var run = await ProcessResult.RunAsync("setsid", ["--wait", "bash", script], new Dictionary<string, string?>(), TimeSpan.FromMinutes(10), work.FullName);

            Assert.True(run.ExitCode == 0, run.Describe());
            Assert.Equal(2, ItemsPage().Count(run.Output)); // one page of rows from each API

            // The APIs made their reader roles logins with the recipe's password (the private server trusts local
            // connections, so a login with it proves nothing; the role's state does).
            await using var connection = new NpgsqlConnection(server.AdminConnectionString);
            await connection.OpenAsync();
            await using var roles = new NpgsqlCommand(
                "SELECT count(*) FROM pg_authid WHERE rolname IN ('sales_reader', 'marketing_reader') AND rolcanlogin AND rolpassword IS NOT NULL", connection);
            Assert.Equal(2L, await roles.ExecuteScalarAsync());

            // Both domains hashed e-mails with the recipe's one pseudonym key: the reference sample's 6 converted leads find
            // their customers by email_hash, the join that consumers without personal data use.
            var customers = await EmailHashesAsync(server.AdminConnectionString, "sales", "customers");
            var leads = await EmailHashesAsync(server.AdminConnectionString, "marketing", "leads");
            Assert.Equal(6, leads.Intersect(customers).Count());
        }
        finally
        {
            work.Delete(recursive: true);
        }

        Assert.All(ServicePorts, port => Assert.True(LocalPorts.IsFree(port), $"the recipe left a service on port {port}"));
    }

    [GeneratedRegex(@"```bash\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex BashBlock();

    [GeneratedRegex(@"^export DATAMEESH_POSTGRES=.*$", RegexOptions.Multiline)]
    private static partial Regex ServerLine();

    [GeneratedRegex(@"""items"":\[\{")]
    private static partial Regex ItemsPage();

    private static async Task<HashSet<string>> EmailHashesAsync(string adminConnectionString, string database, string table)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT email_hash FROM {table} WHERE email_hash IS NOT NULL", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var hashes = new HashSet<string>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            hashes.Add(reader.GetString(0));
        }

        return hashes;
    }
}
