namespace DataMeesh.Tests.Workspace;

/// <summary>
/// Keeps what a headless notebook run produced (the executed notebook, its figures and exports) when
/// DATAMEESH_NOTEBOOK_OUTPUTS names a folder, so people can look at the figures a test run drew.
/// </summary>
internal static class NotebookRuns
{
    public static void Keep(string runDirectory, string name)
    {
        if (Environment.GetEnvironmentVariable("DATAMEESH_NOTEBOOK_OUTPUTS") is not { Length: > 0 } keep)
        {
            return;
        }

        var target = Path.Combine(keep, name);
        foreach (var file in Directory.EnumerateFiles(runDirectory, "*", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}matplotlib{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var destination = Path.Combine(target, Path.GetRelativePath(runDirectory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(destination)!);
            File.Copy(file, destination, overwrite: true);
        }
    }
}
