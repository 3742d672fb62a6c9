namespace DataMeesh;

/// <summary>
/// A directory of configuration files mounted into a container: locally as one bind mount, on Kubernetes as one ConfigMap
/// per folder (a ConfigMap is flat) whose files are mounted one by one with subPath, so no mount hides another or the
/// image's own files beside them.
/// </summary>
public sealed record ConfigDirectory(string SourceDirectory, string TargetDirectory)
{
    /// <summary>One entry per folder that holds files: the folder relative to the source ('' for the root) and its files.</summary>
    public IReadOnlyList<ConfigFolder> Folders()
    {
        if (!Directory.Exists(SourceDirectory))
        {
            throw new DirectoryNotFoundException($"Configuration directory '{SourceDirectory}' does not exist.");
        }

        return
        [
            .. Directory.EnumerateDirectories(SourceDirectory, "*", SearchOption.AllDirectories)
                .Prepend(SourceDirectory)
                .Select(dir => new ConfigFolder(
                    Path.GetRelativePath(SourceDirectory, dir) is "." ? "" : Path.GetRelativePath(SourceDirectory, dir).Replace('\\', '/'),
                    [.. Directory.EnumerateFiles(dir).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal)]))
                .Where(folder => folder.Files.Count > 0)
                .OrderBy(folder => folder.RelativePath, StringComparer.Ordinal),
        ];
    }

    /// <summary>Where a folder's files land in the container.</summary>
    public string TargetOf(ConfigFolder folder) =>
        folder.RelativePath.Length == 0 ? TargetDirectory : $"{TargetDirectory.TrimEnd('/')}/{folder.RelativePath}";
}

public sealed record ConfigFolder(string RelativePath, IReadOnlyList<string> Files);
