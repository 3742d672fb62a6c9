using System.Security.Claims;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Contracts;
using DataMeesh.DataProducts.Quality;
using DataMeesh.DataProducts.Rows;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace DataMeesh.DataProducts.Api;

/// <summary>The endpoints every data product serves: description, datasets, rows, contracts and quality.</summary>
public static class DataProductEndpoints
{
    public static IEndpointRouteBuilder MapDataProductEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", GetProduct).WithTag("Data product", "What the product is, who owns it and which datasets it publishes.").AllowAnonymous()
            .WithName("GetDataProduct").WithSummary("The data product: owner, description, update frequency, classification and datasets.");

        var datasets = app.MapGroup("/datasets").WithTag("Datasets", "Every table and view, its columns, and its rows.");
        datasets.MapGet("/", ListDatasets).AllowAnonymous()
            .WithName("ListDatasets").WithSummary("Every table and view with row count, freshness and quality score.");
        datasets.MapGet("/{name}", GetDataset).AllowAnonymous()
            .WithName("GetDataset").WithSummary("One dataset with its columns (type, nullability, description, classification).")
            .ProducesProblem(StatusCodes.Status404NotFound);
        datasets.MapGet("/{name}/rows", GetRows).RequireAuthorization()
            .WithName("GetDatasetRows")
            .WithSummary("The dataset's rows: keyset-paged JSON, or the whole filtered result as CSV (Accept: text/csv) or Excel (format=xlsx).")
            .WithDescription("Filters: `column=value` (repeat for several values), `column.gt|gte|lt|lte|ne=value` on filterable columns. " +
                             "`sort=-a,b` on sortable columns, `fields=a,b`, `limit` 1-1000 (default 100), `cursor` = nextCursor of the previous page. " +
                             "Columns classified pii are masked (\"***\") unless the caller has the pii-reader role. " +
                             "In CSV, text a spreadsheet would run as a formula (starting with =, @, or + or - before anything but a number) gets a leading '.")
            // The 200 (a JSON page, CSV or Excel) is written by DatasetSchemaTransformer, typed per dataset.
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        var contracts = app.MapGroup("/contracts").WithTag("Data contracts", "Open Data Contract Standard v3.1.0 contracts generated from the live schema.").AllowAnonymous();
        contracts.MapGet("/", ListContracts).WithName("ListContracts").WithSummary("The data contract (ODCS v3.1) of every dataset.");
        contracts.MapGet("/{dataset}.yaml", GetContract).WithName("GetContract")
            .WithSummary("One dataset's Open Data Contract Standard v3.1.0 contract, generated from the live schema.")
            .WithDescription("The contract's servers (PostgreSQL and Trino hosts and ports) are included for callers with a token.")
            .Produces<string>(StatusCodes.Status200OK, "application/yaml")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var quality = app.MapGroup("/quality").WithTag("Quality", "The results of the datasets' quality checks, and running them on demand.");
        quality.MapGet("/", GetQuality).RequireAuthorization()
            .WithName("GetQuality").WithSummary("The latest result of every dataset's quality checks, with observed values, thresholds and scores.");
        quality.MapPost("/runs", RunQuality).RequireAuthorization(DataProductRoles.Steward)
            .WithName("RunQuality").WithSummary("Runs every quality check now (the domain's steward role, e.g. sales-steward) and returns the new results.")
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    private static Ok<ProductDocument> GetProduct(ProductCatalog catalog, QualityMonitor quality)
    {
        var product = catalog.Definition;
        return TypedResults.Ok(new ProductDocument(product.Domain, product.Title, product.Description, product.Version,
            new OwnerDocument(product.Owner.Team, product.Owner.Contact), product.UpdateFrequency, product.Classification,
            Summaries(catalog, quality.Latest),
            new Dictionary<string, string>
            {
                ["datasets"] = "/datasets", ["contracts"] = "/contracts", ["quality"] = "/quality",
                ["openapi"] = "/openapi/v1.json", ["reference"] = "/scalar",
            }));
    }

    private static Ok<IReadOnlyList<DatasetSummary>> ListDatasets(ProductCatalog catalog, QualityMonitor quality) =>
        TypedResults.Ok<IReadOnlyList<DatasetSummary>>(Summaries(catalog, quality.Latest));

    private static Results<Ok<DatasetDocument>, ProblemHttpResult> GetDataset(string name, ProductCatalog catalog, QualityMonitor quality)
    {
        var dataset = FindDataset(catalog, name);
        var result = quality.Latest.For(dataset.Name);
        var freshness = dataset.Definition.Freshness;
        return TypedResults.Ok(new DatasetDocument(dataset.Name, dataset.Kind, dataset.Definition.Description,
            dataset.Key.Select(k => k.Name).ToList(),
            dataset.Columns.Select(c => new ColumnDocument(c.Name, c.Type.PostgresType, c.Type.LogicalType, c.Nullable, c.Definition.Description,
                c.Classification, c.Definition.Filter || dataset.Key.Contains(c), c.Definition.Sort || dataset.Key.Contains(c), c.PrimaryKey, c.Unique)).ToList(),
            result?.RowCount, result?.LastUpdatedAt,
            freshness is null ? null : new FreshnessDocument(freshness.Column, freshness.MaxAge.TotalHours,
                result?.Checks.FirstOrDefault(c => c.Type == CheckTypes.Freshness) is { } check ? !check.Passed : null),
            result, Links(dataset)));
    }

    private static async Task GetRows(string name, HttpContext context, ProductCatalog catalog, RowService rows)
    {
        var dataset = FindDataset(catalog, name);
        var format = ResponseFormat(context.Request);
        if (format != "json")
        {
            // CSV and Excel export every matching row: a limit or cursor there would have been ignored, a truncated
            // export taken for a complete one.
            foreach (var paging in PagingParameters.Where(context.Request.Query.ContainsKey))
            {
                throw ProblemException.BadRequest(paging,
                    $"{paging} pages JSON only; {format} exports every matching row. Narrow the rows with filters " +
                    $"(e.g. {dataset.Key[0].Name}.gte=...), or page them as JSON (Accept: application/json).");
            }
        }

        var request = RowRequest.Parse(dataset, context.Request.Query, context.User.CanReadPii());
        switch (format)
        {
            case "csv": await rows.WriteCsvAsync(context, request); break;
            case "xlsx": await rows.WriteXlsxAsync(context, request); break;
            default: await rows.WritePageAsync(context, request); break;
        }
    }

    private static Ok<IReadOnlyList<ContractSummary>> ListContracts(ProductCatalog catalog) =>
        TypedResults.Ok<IReadOnlyList<ContractSummary>>(catalog.Datasets.Select(d => new ContractSummary(d.Name,
            OdcsContract.Id(catalog.Definition, d), OdcsContract.ApiVersion, catalog.Definition.Version, "active", $"/contracts/{d.Name}.yaml")).ToList());

    // Anyone may read a contract; where the data lives (database and Trino hosts and ports) only a signed-in caller learns.
    private static ContentHttpResult GetContract(string dataset, ProductCatalog catalog, ContractServers servers, ClaimsPrincipal user) =>
        TypedResults.Text(OdcsContract.ToYaml(catalog.Definition, FindDataset(catalog, dataset), user.Identity?.IsAuthenticated == true ? servers : null),
            "application/yaml; charset=utf-8");

    private static Ok<QualityReport> GetQuality(QualityMonitor quality) => TypedResults.Ok(quality.Latest);

    private static async Task<Created<QualityReport>> RunQuality(QualityMonitor quality, ProductCatalog catalog, CancellationToken cancellationToken)
    {
        catalog.EnsureLoaded(); // no quality run before the catalog is loaded: 503
        return TypedResults.Created("/quality", await quality.RunAsync(QualityTrigger.Manual, cancellationToken));
    }

    public static Dataset FindDataset(ProductCatalog catalog, string name) =>
        catalog.Find(name) ?? throw ProblemException.NotFound(
            $"The {catalog.Definition.Domain} data product has no dataset '{(name.Length > 64 ? name[..64] + "…" : name)}'. " +
            $"Datasets: {string.Join(", ", catalog.Datasets.Select(d => d.Name))}.");

    public static bool CanReadPii(this ClaimsPrincipal user) => user.IsInRole(DataProductRoles.PiiReader);

    private static readonly string[] Formats = ["json", "csv", "xlsx"];
    private static readonly string[] PagingParameters = ["limit", "cursor"];

    /// <summary>
    /// <c>format=</c> (any letter case) wins; else the most preferred of the Accept header's media types the API writes
    /// (q-values honoured, <c>q=0</c> refusing a type); JSON when Accept names none of them (an error in JSON is more
    /// use to such a caller than none, as for problems).
    /// </summary>
    private static string ResponseFormat(HttpRequest request)
    {
        var format = request.Query["format"].ToString();
        if (format.Length > 0)
        {
            return Formats.FirstOrDefault(f => f.Equals(format, StringComparison.OrdinalIgnoreCase))
                ?? throw ProblemException.BadRequest("format", $"format must be one of: {string.Join(", ", Formats)} (any letter case).");
        }

        var accepted = request.GetTypedHeaders().Accept;
        var best = accepted
            .Select((media, position) => (Format: FormatOf(media.MediaType.Value), Quality: media.Quality ?? 1, position, Wildcard: media.MatchesAllTypes || media.MatchesAllSubTypes))
            .Where(m => m.Format is not null && m.Quality > 0)
            .OrderByDescending(m => m.Quality).ThenBy(m => m.Wildcard).ThenBy(m => m.position)
            .Select(m => m.Format)
            .FirstOrDefault();
        return best ?? "json";
    }

    private static string? FormatOf(string? mediaType) => mediaType?.ToLowerInvariant() switch
    {
        "application/json" or "application/*" or "*/*" => "json",
        RowService.CsvMediaType or "text/*" => "csv",
        RowService.XlsxMediaType => "xlsx",
        _ => null,
    };

    private static List<DatasetSummary> Summaries(ProductCatalog catalog, QualityReport report) =>
        catalog.Datasets.Select(d =>
        {
            var result = report.For(d.Name);
            return new DatasetSummary(d.Name, d.Kind, d.Definition.Description, result?.RowCount, result?.LastUpdatedAt, result?.Score, Links(d));
        }).ToList();

    private static Dictionary<string, string> Links(Dataset dataset) => new()
    {
        ["self"] = $"/datasets/{dataset.Name}",
        ["rows"] = $"/datasets/{dataset.Name}/rows",
        ["contract"] = $"/contracts/{dataset.Name}.yaml",
    };
}

/// <summary>
/// The roles of the data products' governance (JWT role claims). Every API accepts the platform's tokens, so one sign-in
/// reads every domain; authority to change a domain is that domain's own role (<c>sales-writer</c>, <c>marketing-steward</c>),
/// so a sales writer cannot create marketing leads. A bare <c>writer</c> or <c>steward</c> role grants nothing.
/// </summary>
public static class DataProductRoles
{
    /// <summary>Sees personal data unmasked.</summary>
    public const string PiiReader = PlatformRoles.PiiReader;

    /// <summary>The policy of writes (orders, leads, metrics): role <see cref="WriterOf"/> of the API's domain.</summary>
    public const string Writer = PlatformRoles.Writer;

    /// <summary>
    /// The policy of writes whose answer depends on personal data on file (a lead's e-mail is unique, so a 409 would tell
    /// whether an address is known): <see cref="WriterOf"/> of the API's domain and <see cref="PiiReader"/>.
    /// </summary>
    public const string PiiWriter = "pii-writer";

    /// <summary>The policy of on-demand quality runs: role <see cref="StewardOf"/> of the API's domain.</summary>
    public const string Steward = PlatformRoles.Steward;

    /// <summary>May write <paramref name="domain"/>: <c>sales-writer</c>.</summary>
    public static string WriterOf(string domain) => PlatformRoles.WriterOf(domain);

    /// <summary>May run <paramref name="domain"/>'s quality checks on demand: <c>sales-steward</c>.</summary>
    public static string StewardOf(string domain) => PlatformRoles.StewardOf(domain);
}
