using DataMeesh.TokenService;
using Microsoft.Extensions.Options;

// `DataMeesh.TokenService token --role ...` mints one token and exits (the path without the AppHost); otherwise it serves.
if (TokenCommand.Handles(args))
{
    return await TokenCommand.RunAsync(args);
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddTokenService();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.MapDefaultEndpoints();

try
{
    app.MapTokenEndpoints(); // reads the options: a bad value stops here, before anything listens
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException e)
{
    await Console.Error.WriteLineAsync($"DataMeesh.TokenService: {string.Join("; ", e.Failures)}");
    return 2;
}

public partial class Program;
