using System.Diagnostics;
using Npgsql;
using Testcontainers.PostgreSql;

namespace DataMeesh.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL server owned by one test, so the test may stop and restart it (the shared server of
/// <see cref="PostgresServer"/> must stay up for everyone else). A private cluster from the local PostgreSQL binaries
/// (initdb/pg_ctl: what CI installs, what Debian/Homebrew packages provide), otherwise a container on a fixed host port
/// so its address survives a restart. It keeps its port across restarts, as a real server does.
/// </summary>
public abstract class PrivatePostgres : IAsyncDisposable
{
    public const string BinariesVariable = "DATAMEESH_TEST_PG_BIN";

    protected PrivatePostgres(int port) => Port = port;

    public int Port { get; }

    /// <summary>Superuser connection string to the <c>postgres</c> database.</summary>
    public abstract string AdminConnectionString { get; }

    /// <summary>Shuts the server down the way an operator or a crashing node does: sessions are terminated mid-query.</summary>
    public abstract Task StopAsync();

    public abstract Task StartAsync();

    public abstract ValueTask DisposeAsync();

    /// <summary>The seeder commits both domains with a two-phase commit, which needs prepared transactions (PostgreSQL's default is 0).</summary>
    public const int PreparedTransactions = 16;

    /// <param name="maxPreparedTransactions">0 gives a server as PostgreSQL configures one by default.</param>
    public static async Task<PrivatePostgres> StartNewAsync(int maxPreparedTransactions = PreparedTransactions)
    {
        var port = LocalPorts.Free();
        if (FindBinaries() is { } binaries)
        {
            var cluster = new LocalCluster(binaries, port, maxPreparedTransactions);
            await cluster.InitializeAsync();
            return cluster;
        }

        try
        {
            var container = new ContainerServer(port, maxPreparedTransactions);
            await container.StartAsync();
            return container;
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                "This test stops and restarts its own PostgreSQL server. Install the PostgreSQL server binaries (Debian: " +
                $"postgresql-15; or set {BinariesVariable} to the directory holding initdb and pg_ctl), or start Docker. " +
                "Docker was not usable: " + e.Message, e);
        }
    }

    private static string? FindBinaries()
    {
        var candidates = new List<string>();
        if (Environment.GetEnvironmentVariable(BinariesVariable) is { Length: > 0 } configured)
        {
            candidates.Add(configured);
        }

        // Debian/Ubuntu install server binaries outside PATH, one directory per major version: prefer the newest.
        if (Directory.Exists("/usr/lib/postgresql"))
        {
            candidates.AddRange(Directory.GetDirectories("/usr/lib/postgresql")
                .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var major) ? major : 0)
                .Select(d => Path.Combine(d, "bin")));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries));
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }

    /// <summary>initdb + pg_ctl in a temporary directory. PostgreSQL refuses to run as root, so root runs it as postgres.</summary>
    private sealed class LocalCluster(string binaries, int port, int maxPreparedTransactions) : PrivatePostgres(port)
    {
        private readonly string directory = Directory.CreateTempSubdirectory("datameesh-private-pg.").FullName;
        private readonly bool asPostgresUser = Environment.UserName == "root";

        private string DataDirectory => Path.Combine(directory, "data");

        public override string AdminConnectionString =>
            $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Timeout=5";

        public async Task InitializeAsync()
        {
            // The temp directory is private to its creator; the server's user must be able to enter it.
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                                                | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
            }

            if (asPostgresUser)
            {
                await RunAsync("chown", ["postgres", directory]);
            }

            await RunServerToolAsync("initdb", ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"]);
            await StartAsync();
        }

        public override Task StartAsync() => RunServerToolAsync("pg_ctl",
        [
            "-D", DataDirectory, "-l", Path.Combine(directory, "postgres.log"), "-w", "-t", "60",
            "-o", $"-p {Port} -k {directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_prepared_transactions={maxPreparedTransactions}", "start",
        ]);

        // Fast shutdown: every session is terminated (57P01) and the server stops accepting connections.
        public override Task StopAsync() => RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "fast", "-w", "stop"]);

        public override async ValueTask DisposeAsync()
        {
            try
            {
                await RunServerToolAsync("pg_ctl", ["-D", DataDirectory, "-m", "immediate", "-w", "stop"]);
            }
            catch (InvalidOperationException)
            {
                // already stopped
            }

            NpgsqlConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }

        private Task RunServerToolAsync(string tool, string[] args) => asPostgresUser
            ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(binaries, tool), .. args])
            : RunAsync(Path.Combine(binaries, tool), args);

        private static async Task RunAsync(string file, string[] args)
        {
            var startInfo = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                startInfo.ArgumentList.Add(arg);
            }

            using var process = Process.Start(startInfo)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', args)} exited with {process.ExitCode}: {await output}{await error}");
            }
        }
    }

    /// <summary>For machines with Docker but no local PostgreSQL: the host port is fixed so a restarted container keeps it.</summary>
    private sealed class ContainerServer(int port, int maxPreparedTransactions) : PrivatePostgres(port)
    {
        private readonly PostgreSqlContainer container = new PostgreSqlBuilder("postgres:17").WithPortBinding(port, 5432)
            .WithCommand("-c", $"max_prepared_transactions={maxPreparedTransactions}").Build();

        public override string AdminConnectionString =>
            new NpgsqlConnectionStringBuilder(container.GetConnectionString()) { Database = "postgres", Timeout = 5 }.ConnectionString;

        public override Task StartAsync() => container.StartAsync();

        public override Task StopAsync() => container.StopAsync();

        public override async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            await container.DisposeAsync();
        }
    }
}
