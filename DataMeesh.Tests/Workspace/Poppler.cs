namespace DataMeesh.Tests.Workspace;

/// <summary>Debian's poppler-utils, from outside the project: what a PDF says (pdftotext) and looks like (pdftoppm).</summary>
internal static class Poppler
{
    public const string InstallCommand = "apt-get install -y poppler-utils";

    public static async Task<string> TextAsync(string pdf)
    {
        var run = await ProcessResult.RunAsync(Require("pdftotext"), ["-layout", pdf, "-"], new Dictionary<string, string?>(), TimeSpan.FromMinutes(1));
        Assert.True(run.ExitCode == 0, $"pdftotext cannot read {pdf}: {run.Describe()}");
        return run.Output;
    }

    /// <summary>Each page as a PNG (96 dpi), in page order.</summary>
    public static async Task<IReadOnlyList<string>> PagesAsPngAsync(string pdf, string directory)
    {
        Directory.CreateDirectory(directory);
        var run = await ProcessResult.RunAsync(Require("pdftoppm"), ["-png", "-r", "96", pdf, Path.Combine(directory, "page")],
            new Dictionary<string, string?>(), TimeSpan.FromMinutes(1));
        Assert.True(run.ExitCode == 0, $"pdftoppm cannot render {pdf}: {run.Describe()}");
        return Directory.GetFiles(directory, "page*.png").Order(StringComparer.Ordinal).ToList();
    }

    private static string Require(string tool)
    {
        var path = Path.Combine("/usr/bin", tool);
        Assert.True(File.Exists(path), $"{path} is missing: the PDF report check needs poppler's {tool}. Install it (as root): {InstallCommand}");
        return path;
    }
}
