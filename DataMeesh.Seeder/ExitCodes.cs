namespace DataMeesh.Seeder;

/// <summary>Process exit codes; documented in the README and in <c>--help</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;
    public const int LoadFailed = 1;
    public const int Usage = 2;
    public const int SchemaNotReady = 3;
    public const int LoginRefused = 4;
    public const int ResetRefused = 5;
    public const int Cancelled = 130;
}
