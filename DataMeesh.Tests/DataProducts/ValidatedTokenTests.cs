using System.Net;
using System.Text;

namespace DataMeesh.Tests.DataProducts;

/// <summary>
/// The APIs reuse a bearer token's validation for its next requests (issue 14: validating it again was a tenth of the read
/// path's CPU). What a caller may do must not change: roles come from the token that was validated, and only that exact
/// token string is reused.
/// </summary>
public sealed class ValidatedTokenTests(DataProductApps apps) : IClassFixture<DataProductApps>
{
    private const string Order = """{"customerId": 1, "paymentMethod": "Invoice", "salesRep": "Ann Lee", "region": "Europe", "items": [{"productId": 1, "quantity": 1}]}""";

    [Fact]
    public async Task A_reused_token_keeps_exactly_its_own_roles()
    {
        var reader = apps.Client("sales");
        var writer = apps.Client("sales", "sales-writer");
        for (var request = 0; request < 3; request++)
        {
            Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync("/orders/1")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await reader.PostAsync("/orders", new StringContent(Order, Encoding.UTF8, "application/json"))).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await writer.PostAsync("/orders", new StringContent(Order, Encoding.UTF8, "application/json"))).StatusCode);
        }
    }

    [Fact]
    public async Task A_token_altered_after_a_valid_use_is_refused()
    {
        var token = apps.Token("sales-writer");
        var valid = apps.Api("sales");
        valid.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await valid.GetAsync("/orders/1")).StatusCode);

        // The same claims with a broken signature, and the valid token with trailing garbage: neither is the token validated.
        foreach (var altered in new[] { token[..^4] + (token.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA"), token + "x" })
        {
            var client = apps.Api("sales");
            client.DefaultRequestHeaders.Authorization = new("Bearer", altered);
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/orders/1")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, (await valid.GetAsync("/orders/1")).StatusCode);
    }
}

/// <summary>How long a validated token is reused, on a clock the test moves (no dependency on today's date).</summary>
public sealed class ValidatedTokenLifetimeTests
{
    private static readonly DateTimeOffset Start = new(2030, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private sealed class ManualClock : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = Start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static string TokenExpiringAt(DateTimeOffset expires) => new Microsoft.IdentityModel.JsonWebTokens.JsonWebTokenHandler().CreateToken(
        new Microsoft.IdentityModel.Tokens.SecurityTokenDescriptor
        {
            Subject = new System.Security.Claims.ClaimsIdentity([new("sub", "someone"), new("role", "sales-writer")], "Bearer"),
            IssuedAt = Start.UtcDateTime.AddHours(-1),
            NotBefore = Start.UtcDateTime.AddHours(-1),
            Expires = expires.UtcDateTime,
            SigningCredentials = new(new Microsoft.IdentityModel.Tokens.SymmetricSecurityKey(new byte[32]), Microsoft.IdentityModel.Tokens.SecurityAlgorithms.HmacSha256),
        });

    private static (DataMeesh.DataProducts.Hosting.ValidatedTokens Tokens, Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions Options, ManualClock Clock) Create()
    {
        var clock = new ManualClock();
        var tokens = new DataMeesh.DataProducts.Hosting.ValidatedTokens(clock);
        var options = new Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions();
        tokens.Attach(options);
        return (tokens, options, clock);
    }

    private static readonly Microsoft.AspNetCore.Authentication.AuthenticationScheme Scheme =
        new("Bearer", null, typeof(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler));

    private static async Task ValidatedAsync(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions options, string token) =>
        await options.Events.TokenValidated(new(new Microsoft.AspNetCore.Http.DefaultHttpContext(), Scheme, options)
        {
            SecurityToken = new Microsoft.IdentityModel.JsonWebTokens.JsonWebToken(token),
            Principal = new(new System.Security.Claims.ClaimsIdentity([new("sub", "someone"), new("role", "sales-writer")], "Bearer", "sub", "role")),
        });

    private static async Task<System.Security.Claims.ClaimsPrincipal?> ReusedAsync(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions options, string token)
    {
        var http = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        http.Request.Headers.Authorization = "Bearer " + token;
        var context = new Microsoft.AspNetCore.Authentication.JwtBearer.MessageReceivedContext(http, Scheme, options);
        await options.Events.MessageReceived(context);
        return context.Result?.Succeeded == true ? context.Result.Principal : null;
    }

    [Fact]
    public async Task A_validated_token_is_reused_for_a_minute_and_then_validated_again()
    {
        var (_, options, clock) = Create();
        var token = TokenExpiringAt(Start.AddHours(1));
        Assert.Null(await ReusedAsync(options, token)); // never validated: the handler validates it
        await ValidatedAsync(options, token);

        clock.Now = Start.AddSeconds(59);
        var reused = await ReusedAsync(options, token);
        Assert.NotNull(reused);
        Assert.True(reused.IsInRole("sales-writer"));
        Assert.NotSame(reused, await ReusedAsync(options, token)); // each request its own copy

        clock.Now = Start.AddSeconds(60);
        Assert.Null(await ReusedAsync(options, token));
    }

    [Fact]
    public async Task A_token_is_never_reused_past_its_expiry()
    {
        var (_, options, clock) = Create();
        var token = TokenExpiringAt(Start.AddSeconds(10));
        await ValidatedAsync(options, token);
        clock.Now = Start.AddSeconds(9);
        Assert.NotNull(await ReusedAsync(options, token));
        clock.Now = Start.AddSeconds(10);
        Assert.Null(await ReusedAsync(options, token));
    }

    [Fact]
    public async Task New_bearer_options_forget_every_validated_token()
    {
        var (tokens, options, _) = Create();
        var token = TokenExpiringAt(Start.AddHours(1));
        await ValidatedAsync(options, token);
        Assert.NotNull(await ReusedAsync(options, token));

        tokens.Attach(new Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerOptions()); // keys, issuers or audiences changed
        Assert.Null(await ReusedAsync(options, token));
    }
}
