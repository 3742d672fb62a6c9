using System.Buffers;
using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;
using DataMeesh.DataProducts.Catalog;
using DataMeesh.DataProducts.Rows;
using Microsoft.AspNetCore.Http;

namespace DataMeesh.DataProducts.Api;

/// <summary>
/// Building blocks for a domain's own read endpoints (<c>/customers/{id}</c>, <c>/campaigns/{id}/leads</c>, ...): they go
/// through the same rows engine as <c>/datasets/{name}/rows</c>, so masking, paging and errors behave the same everywhere.
/// </summary>
public sealed class DataProductResults(ProductCatalog catalog, RowService rows)
{
    /// <summary>One row of <paramref name="dataset"/> by key, optionally with nested collections; 404 when there is none.</summary>
    public async Task WriteOneAsync(HttpContext context, string dataset, object key,
        params (string Property, string Dataset, string ForeignKey)[] children)
    {
        var request = ByKey(context, dataset, key);
        using var buffer = new ArrayPoolBufferWriter<byte>(4096);
        await using (var writer = new Utf8JsonWriter(buffer))
        {
            var nested = children.Select(child =>
                (child.Property, Filtered(context, child.Dataset, child.ForeignKey, key, QueryCollection.Empty) with { Limit = RowRequest.MaxLimit })).ToList();
            var found = await rows.WriteSingleAsync(writer, request, context.RequestAborted, nested);
            if (!found)
            {
                throw ProblemException.NotFound($"No {dataset} row with {request.Dataset.Key[0].Name} {key}.");
            }
        }

        await RowService.WriteJsonAsync(context, buffer.WrittenMemory);
    }

    /// <summary>A page of <paramref name="childDataset"/> rows belonging to one parent row (404 when the parent does not exist).</summary>
    public async Task WriteChildrenAsync(HttpContext context, string parentDataset, object parentKey, string childDataset, string foreignKey)
    {
        var parent = ByKey(context, parentDataset, parentKey);
        if (!await rows.ExistsAsync(parent, context.RequestAborted))
        {
            throw ProblemException.NotFound($"No {parentDataset} row with {parent.Dataset.Key[0].Name} {parentKey}.");
        }

        await rows.WritePageAsync(context, Filtered(context, childDataset, foreignKey, parentKey, context.Request.Query));
    }

    private RowRequest ByKey(HttpContext context, string dataset, object key)
    {
        var found = DataProductEndpoints.FindDataset(catalog, dataset);
        return Filtered(context, dataset, found.Key[0].Name, key, QueryCollection.Empty);
    }

    private RowRequest Filtered(HttpContext context, string dataset, string column, object value, IQueryCollection query)
    {
        var found = DataProductEndpoints.FindDataset(catalog, dataset);
        var filter = new RowFilter(found.Find(column) ?? throw new InvalidOperationException($"{dataset} has no column {column}."), FilterOperator.Eq, [value]);
        return RowRequest.Parse(found, query, context.User.CanReadPii(), [filter]);
    }
}
