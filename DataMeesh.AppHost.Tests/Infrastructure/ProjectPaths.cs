namespace DataMeesh.AppHost.Tests.Infrastructure;

public static class ProjectPaths
{
    /// <summary>The checkout these tests were built from (the folder holding DataMeesh.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DataMeesh.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("DataMeesh.sln not found above the test output directory.");
    }
}
