using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DataMeesh.Tests.Infrastructure;
using Npgsql;

namespace DataMeesh.Tests.Workspace;

/// <summary>The notebooks every user gets: valid, committed without outputs, code that compiles, and 03 runs end to end.</summary>
public sealed partial class NotebookTests(SeededDomains seeded) : IClassFixture<SeededDomains>
{
    private static readonly string[] ExpectedNotebooks =
        ["00-welcome", "01-explore", "02-customer-journey", "03-domain-analytics", "04-data-quality", "05-churn-risk", "06-campaign-roi"];

    public static TheoryData<string> Notebooks() => new(ExpectedNotebooks);

    /// <summary>Validates against nbformat's schema, then compiles every code cell (IPython magics and shell escapes stripped).</summary>
    private const string ValidateAndCompile = """
        import sys, nbformat
        notebook = nbformat.read(sys.argv[1], as_version=4)
        nbformat.validate(notebook)
        assert notebook.nbformat == 4, f"nbformat {notebook.nbformat}"
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            source = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in cell.source.splitlines())
            compile(source, f"{sys.argv[1]} cell {index}", "exec")
        print(sum(cell.cell_type == "code" for cell in notebook.cells))
        """;

    [Fact]
    public void The_workspace_notebooks_are_there_and_nothing_else()
    {
        var names = PlatformFiles.Files("notebooks", "*.ipynb").Select(Path.GetFileNameWithoutExtension);
        Assert.Equal(ExpectedNotebooks, names);
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_is_valid_nbformat_4_and_its_code_compiles(string notebook)
    {
        var result = await DebianPython.RunScriptAsync(ValidateAndCompile, NotebookPath(notebook));

        Assert.True(result.ExitCode == 0, result.Describe());
        Assert.True(int.Parse(result.Output.Trim(), System.Globalization.CultureInfo.InvariantCulture) > 0, $"{notebook} has no code cell");
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_is_committed_without_outputs(string notebook)
    {
        var cells = PlatformFiles.Json(NotebookPath(notebook))["cells"]!.AsArray().OfType<JsonObject>().ToList();

        Assert.NotEmpty(cells);
        Assert.All(cells.Where(cell => (string?)cell["cell_type"] == "code"), cell =>
        {
            Assert.Empty(cell["outputs"]?.AsArray() ?? []);
            Assert.Null(cell["execution_count"]);
        });
    }

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_holds_no_connection_secrets(string notebook)
    {
        var text = File.ReadAllText(NotebookPath(notebook));

        Assert.DoesNotMatch(SecretLiteral(), text);
        Assert.DoesNotContain("localhost:5432", text, StringComparison.Ordinal);
    }

    [Fact]
    public Task Domain_analytics_runs_headless_as_the_read_only_roles_and_saves_its_figures() =>
        AssertDomainAnalyticsRunsAsync(seeded);

    /// <summary>Runs 03 headless on <paramref name="seeded"/> as the read-only roles: no error, every figure saved and shown.</summary>
    internal static async Task AssertDomainAnalyticsRunsAsync(SeededDomains seeded)
    {
        await DebianPython.RequireAsync();
        var work = Directory.CreateTempSubdirectory("datameesh-nb03-");
        try
        {
            var outputs = Path.Combine(work.FullName, "outputs");
            var source = NotebookPath("03-domain-analytics");
            var environment = new Dictionary<string, string?>
            {
                ["PYTHONPATH"] = PlatformFiles.PathOf("jupyterhub"),
                ["DATAMEESH_OUTPUT_DIR"] = outputs,
                ["MPLCONFIGDIR"] = Path.Combine(work.FullName, "matplotlib"),
                ["PYDEVD_DISABLE_FILE_VALIDATION"] = "1",
                ["PYTHONDONTWRITEBYTECODE"] = "1", // keeps __pycache__ out of platform/jupyterhub in the checkout
            };
            foreach (var domain in new[] { "sales", "marketing" })
            {
                var connection = new NpgsqlConnectionStringBuilder(seeded.Databases.ConnectionString(domain));
                var prefix = domain.ToUpperInvariant() + "_PG_";
                environment[prefix + "HOST"] = connection.Host;
                environment[prefix + "PORT"] = connection.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
                environment[prefix + "DB"] = connection.Database;
                environment[prefix + "USER"] = connection.Username;
                environment[prefix + "PASSWORD"] = connection.Password ?? "";
            }

            var result = await RunAsReadersAsync(seeded, source, work.FullName, environment);

            Assert.True(result.ExitCode == 0, result.Describe());
            var executed = PlatformFiles.Json(Path.Combine(work.FullName, Path.GetFileName(source)));
            var outputsOfCells = executed["cells"]!.AsArray().OfType<JsonObject>()
                .SelectMany(cell => cell["outputs"]?.AsArray().OfType<JsonObject>() ?? []).ToList();
            Assert.DoesNotContain(outputsOfCells, output => (string?)output["output_type"] == "error");

            var savedInSource = FigureName().Matches(CodeOf(PlatformFiles.Json(source))).Select(m => m.Groups[1].Value).Distinct().Order().ToArray();
            Assert.NotEmpty(savedInSource);
            var saved = Directory.Exists(outputs) ? Directory.GetFiles(outputs, "*.png").Select(Path.GetFileName).Order().ToArray() : [];
            Assert.Equal(savedInSource, saved);
            Assert.All(Directory.GetFiles(outputs, "*.png"), png => Assert.True(new FileInfo(png).Length > 5_000, $"{png} is nearly empty"));
            var shownFigures = outputsOfCells.Count(output => output["data"]?["image/png"] is not null);
            Assert.True(shownFigures >= savedInSource.Length, $"only {shownFigures} figures shown for {savedInSource.Length} saved");
            NotebookRuns.Keep(work.FullName, $"03-domain-analytics-scale-{seeded.Scale}");
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Runs the notebook as the domains' read-only roles, as on the platform. The roles are NOLOGIN until an API gives them a
    /// password, so each test database makes its reader role the session role of every new connection for the duration.
    /// </summary>
    private static async Task<ProcessResult> RunAsReadersAsync(SeededDomains seeded, string notebook, string outputDirectory, Dictionary<string, string?> environment)
    {
        foreach (var domain in new[] { "sales", "marketing" })
        {
            var database = new NpgsqlConnectionStringBuilder(seeded.Databases.ConnectionString(domain)).Database;
            await MigratedDatabases.ExecuteAsync(await PostgresServer.GetAdminConnectionStringAsync(),
                $"ALTER DATABASE \"{database}\" SET role = '{SeededDomains.ReaderRole(domain)}'");
        }

        try
        {
            return await ProcessResult.RunAsync(DebianPython.Jupyter,
                ["nbconvert", "--to", "notebook", "--execute", notebook, "--output-dir", outputDirectory, "--ExecutePreprocessor.timeout=600"],
                environment, TimeSpan.FromMinutes(10), outputDirectory);
        }
        finally
        {
            foreach (var domain in new[] { "sales", "marketing" })
            {
                var database = new NpgsqlConnectionStringBuilder(seeded.Databases.ConnectionString(domain)).Database;
                await MigratedDatabases.ExecuteAsync(await PostgresServer.GetAdminConnectionStringAsync(), $"ALTER DATABASE \"{database}\" RESET role");
            }
        }
    }

    private static string CodeOf(JsonObject notebook) => string.Join("\n",
        notebook["cells"]!.AsArray().OfType<JsonObject>().Where(cell => (string?)cell["cell_type"] == "code")
            .Select(cell => cell["source"] is JsonArray lines ? string.Concat(lines.Select(l => (string?)l)) : (string?)cell["source"]));

    private static string NotebookPath(string name) => PlatformFiles.PathOf("notebooks", name + ".ipynb");

    [GeneratedRegex("""["'](\d\d-[\w-]+\.png)["']""")]
    private static partial Regex FigureName();

    [GeneratedRegex("""(?i)password\s*=\s*["'][^"']+["']""")]
    private static partial Regex SecretLiteral();
}
