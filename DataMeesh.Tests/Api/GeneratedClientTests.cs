using System.Text.Json;
using System.Xml.Linq;
using DataMeesh.Tests.DataProducts;
using DataMeesh.Tests.Infrastructure;
using DataMeesh.Tests.Workspace;

namespace DataMeesh.Tests.Api;

/// <summary>
/// A client generated from the sales API's published document by a real generator (Kiota 1.38.0, the dotnet tool pinned
/// in .config/dotnet-tools.json) compiles and reads typed pages of rows and an order from the running API. The client is
/// generated into a temporary directory at test time, never committed.
/// </summary>
public sealed class GeneratedClientTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    private static readonly string[] KiotaPackages =
    [
        "Microsoft.Kiota.Abstractions", "Microsoft.Kiota.Http.HttpClientLibrary", "Microsoft.Kiota.Serialization.Form",
        "Microsoft.Kiota.Serialization.Json", "Microsoft.Kiota.Serialization.Multipart", "Microsoft.Kiota.Serialization.Text",
    ];

    private static readonly string[] OrderStatuses = ["Pending", "Processing", "Completed", "Cancelled"];

    [Fact]
    public async Task A_kiota_client_generated_from_the_document_compiles_and_reads_a_page_of_rows()
    {
        var root = ProjectProcess.FindRepositoryRoot();
        var (api, address) = await apps.StartSalesOnKestrelAsync();
        var work = Directory.CreateTempSubdirectory("datameesh-kiota-");
        try
        {
            var environment = new Dictionary<string, string?> { ["KIOTA_OFFLINE_ENABLED"] = "true", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["DOTNET_NOLOGO"] = "1" };
            var restore = await ProcessResult.RunAsync("dotnet", ["tool", "restore"], environment, TimeSpan.FromMinutes(3), root);
            Assert.True(restore.ExitCode == 0,
                $"Kiota 1.38.0 (dotnet tool microsoft.openapi.kiota, pinned in .config/dotnet-tools.json) could not be restored from the NuGet feed: {restore.Describe()}");

            using var http = new HttpClient { BaseAddress = address };
            var document = Path.Combine(work.FullName, "sales.openapi.json");
            await File.WriteAllTextAsync(document, await http.GetStringAsync("/openapi/v1.json"));
            var generate = await ProcessResult.RunAsync("dotnet",
                ["kiota", "generate", "-l", "CSharp", "-d", document, "-o", Path.Combine(work.FullName, "Client"), "-n", "SalesClient", "-c", "SalesApiClient",
                 "--exclude-backward-compatible", "--log-level", "Warning"],
                environment, TimeSpan.FromMinutes(3), root);
            Assert.True(generate.ExitCode == 0, $"Kiota could not generate a client: {generate.Describe()}");
            Assert.DoesNotContain("error", generate.Output + generate.Error, StringComparison.OrdinalIgnoreCase);

            WriteProbeProject(root, work.FullName);
            var build = await ProcessResult.RunAsync("dotnet", ["build", "-nologo", "-v", "q", "-o", Path.Combine(work.FullName, "out")],
                environment, TimeSpan.FromMinutes(6), work.FullName);
            Assert.True(build.ExitCode == 0, $"The generated client does not compile: {build.Describe()}");

            var run = await ProcessResult.RunAsync("dotnet", [Path.Combine(work.FullName, "out", "ClientProbe.dll"), address.ToString().TrimEnd('/'), apps.Token()],
                environment, TimeSpan.FromMinutes(2), work.FullName);
            Assert.True(run.ExitCode == 0, $"The generated client failed against the running API: {run.Describe()}");
            var read = JsonDocument.Parse(run.Output.Trim().Split('\n')[^1]).RootElement;

            // What the client read is what the API serves (and the database holds).
            var expected = await (await apps.Client("sales").GetAsync("/datasets/orders/rows?limit=5&sort=-total_amount&fields=order_id,order_status,total_amount,order_date")).JsonAsync();
            Assert.Equal("orders", read.GetProperty("dataset").GetString());
            Assert.Equal(5, read.GetProperty("limit").GetInt32());
            Assert.Equal(expected.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("order_id").GetInt64()),
                read.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("id").GetInt64()));
            Assert.Equal(expected.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("total_amount").GetDecimal()),
                read.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("total").GetDecimal()));
            Assert.All(read.GetProperty("orders").EnumerateArray(), o => Assert.Contains(o.GetProperty("status").GetString(), OrderStatuses));
            Assert.Equal(5, read.GetProperty("next").GetArrayLength());
            Assert.Empty(read.GetProperty("next").EnumerateArray().Select(n => n.GetInt64())
                .Intersect(read.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("id").GetInt64())));
            var first = read.GetProperty("orders")[0].GetProperty("id").GetInt64();
            Assert.Equal(await apps.Databases.ScalarAsync<long>("sales", $"SELECT count(*) FROM order_items WHERE order_id = {first}"),
                read.GetProperty("firstOrderItems").GetInt64());
        }
        finally
        {
            await api.DisposeAsync();
            work.Delete(recursive: true);
        }
    }

    /// <summary>A console project around the generated client and ClientProbe.cs, on the Kiota runtime versions Directory.Packages.props pins.</summary>
    private static void WriteProbeProject(string root, string directory)
    {
        var pins = XDocument.Load(Path.Combine(root, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(p => (string)p.Attribute("Include")!, p => (string)p.Attribute("Version")!);
        var references = KiotaPackages.Select(package =>
        {
            Assert.True(pins.TryGetValue(package, out var version), $"Directory.Packages.props pins no version of {package}");
            return new XElement("PackageReference", new XAttribute("Include", package), new XAttribute("Version", version));
        });
        new XDocument(new XElement("Project", new XAttribute("Sdk", "Microsoft.NET.Sdk"),
            new XElement("PropertyGroup",
                new XElement("OutputType", "Exe"), new XElement("TargetFramework", "net10.0"), new XElement("Nullable", "enable"),
                new XElement("ImplicitUsings", "enable"), new XElement("AssemblyName", "ClientProbe")),
            new XElement("ItemGroup", references))).Save(Path.Combine(directory, "ClientProbe.csproj"));
        File.Copy(Path.Combine(root, "DataMeesh.Tests", "Api", "GeneratedClient", "ClientProbe.cs"), Path.Combine(directory, "ClientProbe.cs"));
        File.Copy(Path.Combine(root, "nuget.config"), Path.Combine(directory, "nuget.config"));
        File.Copy(Path.Combine(root, "global.json"), Path.Combine(directory, "global.json"));
    }
}
