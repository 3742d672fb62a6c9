using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace DataMeesh.TokenService;

/// <summary>
/// <c>DataMeesh.TokenService token [--role ROLE]... [--subject NAME] [--lifetime hh:mm:ss]</c>: prints one platform token,
/// signed with the same key and by the same code as the service, for the path without the AppHost. Exit codes: 0 printed,
/// 2 bad arguments or configuration (message on stderr).
/// </summary>
internal static class TokenCommand
{
    public const string Verb = "token";
    private const int Usage = 2;

    public static bool Handles(string[] args) => args.Length > 0 && args[0] == Verb;

    public static async Task<int> RunAsync(string[] args)
    {
        var roles = new Option<string[]>("--role")
        {
            Description = $"A role the token carries (repeatable): {string.Join(", ", PlatformRoles.All)}. None: a reader, personal data masked.",
            AllowMultipleArgumentsPerToken = false,
        };
        roles.AcceptOnlyFromAmong(PlatformRoles.All);
        var subject = new Option<string>("--subject")
        {
            Description = "Who the token names (its sub claim; writes are keyed by it).",
            DefaultValueFactory = _ => Environment.UserName is { Length: > 0 } user ? user : "developer",
        };
        var lifetime = new Option<TimeSpan?>("--lifetime")
        {
            Description = "How long the token is valid, as hh:mm:ss (default: Tokens:Lifetime, 00:30:00).",
            HelpName = "hh:mm:ss",
            CustomParser = ParseLifetime,
        };
        var command = new Command(Verb, "Print a platform token both data-product APIs accept (signing key from Tokens__SigningKey).")
        {
            roles, subject, lifetime,
        };
        var root = new RootCommand("DataMeesh token service.") { command };
        command.SetAction(parsed => Print(parsed.GetValue(roles) ?? [], parsed.GetValue(subject)!, parsed.GetValue(lifetime)));

        var result = root.Parse(args);
        if (result.Errors.Count > 0)
        {
            foreach (var error in result.Errors)
            {
                await Console.Error.WriteLineAsync($"error: {error.Message}");
            }

            await Console.Error.WriteLineAsync("Usage: DataMeesh.TokenService token [--role ROLE]... [--subject NAME] [--lifetime hh:mm:ss]");
            return Usage;
        }

        return await result.InvokeAsync();
    }

    private static int Print(string[] roles, string subject, TimeSpan? lifetime)
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = configuration.GetSection(TokenOptions.SectionName).Get<TokenOptions>() ?? new TokenOptions();
        if (lifetime is { } chosen)
        {
            options.Lifetime = chosen;
        }

        var validation = new TokenOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            Console.Error.WriteLine($"error: {validation.FailureMessage}");
            return Usage;
        }

        var issued = new TokenSigner(options.SigningKey!).Issue(subject, roles, options.Lifetime, issuedFor: "cli");
        Console.WriteLine(issued.AccessToken);
        return 0;
    }

    private static TimeSpan? ParseLifetime(ArgumentResult result)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : "";
        if (TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        result.AddError($"--lifetime must be a time span written hh:mm:ss (such as 01:00:00), not '{text}'.");
        return null;
    }
}
