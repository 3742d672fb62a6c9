using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DataMeesh.AppHost.Tests.Infrastructure;

/// <summary>A span as an OTLP exporter sent it: the service (resource attribute service.name), the scope and the span name.</summary>
public sealed record ReceivedSpan(string Service, string Scope, string Name);

/// <summary>
/// An OTLP/HTTP trace receiver on loopback (POST /v1/traces, protobuf), standing in for the dashboard's collector so
/// the end-to-end tests can see what the services exported. The request is walked with Google.Protobuf's wire reader
/// (OpenTelemetry's generated proto types are not on the feed); only the fields the tests read are decoded.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ReceivedSpan> spans = new();

    private OtlpTraceReceiver(WebApplication app) => this.app = app;

    public Uri Endpoint => new(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public IReadOnlyCollection<ReceivedSpan> Spans => spans;

    public static async Task<OtlpTraceReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new OtlpTraceReceiver(app);
        app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (var span in ReadExportRequest(body.ToArray()))
            {
                receiver.spans.Enqueue(span);
            }

            // An empty ExportTraceServiceResponse: full success.
            return Results.Bytes([], "application/x-protobuf");
        });
        // Logs and metrics are accepted and dropped, so exporters do not retry them.
        app.MapPost("/v1/logs", () => Results.Bytes([], "application/x-protobuf"));
        app.MapPost("/v1/metrics", () => Results.Bytes([], "application/x-protobuf"));
        await app.StartAsync();
        return receiver;
    }

    public async Task<ReceivedSpan> WaitForSpanAsync(Func<ReceivedSpan, bool> match, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (spans.FirstOrDefault(match) is { } span)
            {
                return span;
            }

            await Task.Delay(250);
        }

        var seen = string.Join(", ", spans.Select(s => $"{s.Service}/{s.Name}").Distinct().Take(30));
        throw new Xunit.Sdk.XunitException($"No span {what} reached the OTLP endpoint within {timeout}. Seen: {(seen.Length == 0 ? "none" : seen)}");
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();

    // opentelemetry/proto/collector/trace/v1: ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    private static IEnumerable<ReceivedSpan> ReadExportRequest(byte[] request)
    {
        foreach (var resourceSpans in Fields(request, 1))
        {
            // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
            var service = Fields(resourceSpans, 1).SelectMany(resource => Fields(resource, 1))
                .Select(KeyValue).FirstOrDefault(kv => kv.Key == "service.name").Value ?? "";
            foreach (var scopeSpans in Fields(resourceSpans, 2))
            {
                // ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }, InstrumentationScope { string name = 1; }
                var scope = Fields(scopeSpans, 1).SelectMany(s => Fields(s, 1)).Select(Text).FirstOrDefault() ?? "";
                foreach (var span in Fields(scopeSpans, 2))
                {
                    // Span { ...; string name = 5; ... }
                    yield return new ReceivedSpan(service, scope, Fields(span, 5).Select(Text).FirstOrDefault() ?? "");
                }
            }
        }
    }

    // KeyValue { string key = 1; AnyValue value = 2; }, AnyValue { string string_value = 1; ... }
    private static (string Key, string? Value) KeyValue(byte[] keyValue) =>
        (Fields(keyValue, 1).Select(Text).FirstOrDefault() ?? "",
         Fields(keyValue, 2).SelectMany(value => Fields(value, 1)).Select(Text).FirstOrDefault());

    private static string Text(byte[] bytes) => System.Text.Encoding.UTF8.GetString(bytes);

    /// <summary>The payloads of every length-delimited field with this number, skipping all other fields.</summary>
    private static List<byte[]> Fields(byte[] message, int number)
    {
        var found = new List<byte[]>();
        var input = new CodedInputStream(message);
        for (var tag = input.ReadTag(); tag != 0; tag = input.ReadTag())
        {
            if (WireFormat.GetTagFieldNumber(tag) == number && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes().ToByteArray());
            }
            else
            {
                input.SkipLastField();
            }
        }

        return found;
    }
}
