using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The Aspire service defaults (OpenTelemetry, health checks, service discovery, HTTP resilience), built from packages that
/// restore everywhere so services and tools share one observability setup with or without the AppHost. Npgsql's traces
/// and metrics come with Aspire's Npgsql client integration (<c>AddNpgsqlDataSource</c>) wherever a project uses it.
/// </summary>
public static class Extensions
{
    private const string HealthEndpointPath = "/health";
    private const string AlivenessEndpointPath = "/alive";
    private const string LiveTag = "live";

    /// <summary>Extra meters and activity sources our own components emit (seeder, data products, quality checks).</summary>
    public const string DataMeeshTelemetryPrefix = "DataMeesh.*";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        return builder;
    }

    /// <summary>
    /// The OpenTelemetry switch the SDK itself reads (<c>OTEL_SDK_DISABLED</c>): with it true, no span, metric point or log
    /// record is built, also not by the instrumentations other packages register (Aspire's Npgsql integration).
    /// </summary>
    public const string SdkDisabledKey = "OTEL_SDK_DISABLED";

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Telemetry is built for a collector (the AppHost sets the OTLP endpoint, so does any collector-based deployment).
        // With none, every request built its spans and metric points only for them to be dropped: 3-11% of the API's CPU on
        // GET /orders/{id} (bench/README.md). So without an endpoint the SDK is off, unless OTEL_SDK_DISABLED=false asks
        // for it (tests that collect spans in-process do).
        if (!HasOtlpEndpoint(builder.Configuration) && builder.Configuration[SdkDisabledKey] is null)
        {
            builder.Configuration.AddInMemoryCollection([new(SdkDisabledKey, "true")]);
        }

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(DataMeeshTelemetryPrefix))
            .WithTracing(tracing => tracing
                .AddSource(builder.Environment.ApplicationName)
                .AddSource(DataMeeshTelemetryPrefix)
                .AddAspNetCoreInstrumentation(options =>
                    // Probes every few seconds would drown the traces people look for.
                    options.Filter = context =>
                        !context.Request.Path.StartsWithSegments(HealthEndpointPath)
                        && !context.Request.Path.StartsWithSegments(AlivenessEndpointPath))
                .AddHttpClientInstrumentation());

        builder.AddOpenTelemetryExporters();
        return builder;
    }

    private static void AddOpenTelemetryExporters<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (HasOtlpEndpoint(builder.Configuration))
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }
    }

    private static bool HasOtlpEndpoint(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        // The health service logs every Unhealthy poll as an Error and every Degraded one as a Warning. The AppHost and
        // probes poll every few seconds, so a service that is still starting (catalog not loaded yet) showed red errors in
        // the dashboard on every F5, and an outage repeated the same line forever. /health's status is the signal (the
        // dashboard's health column, WaitFor and the probes read it); the causes are logged once by the code that meets them.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", LogLevel.Critical);
        return builder;
    }

    /// <summary>
    /// <c>/health</c>: ready to serve (every check passes; degraded still answers 200 so traffic keeps flowing).
    /// <c>/alive</c>: the process is responsive (only checks tagged "live").
    /// Both are anonymous and carry no detail beyond the status, so they are safe to expose to probes.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath).AllowAnonymous();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = registration => registration.Tags.Contains(LiveTag),
        }).AllowAnonymous();
        return app;
    }
}
