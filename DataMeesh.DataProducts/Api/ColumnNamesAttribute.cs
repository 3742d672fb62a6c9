using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DataMeesh.DataProducts.Api;

/// <summary>
/// A response type that is a dataset's row (the created order, lead or metrics): serialised, and published in the OpenAPI
/// document, with the dataset's column names (<c>order_id</c>), so a write answers in the casing its resource's reads use
/// (<c>POST /orders</c> and <c>GET /orders/{id}</c> alike).
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ColumnNamesAttribute : Attribute
{
    /// <summary>The serializer modifier that applies the attribute (on the APIs' HTTP JSON options, which the OpenAPI generator reads too).</summary>
    public static void Apply(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object || info.Type.GetCustomAttribute<ColumnNamesAttribute>() is null)
        {
            return;
        }

        foreach (var property in info.Properties)
        {
            property.Name = JsonNamingPolicy.SnakeCaseLower.ConvertName(property.AttributeProvider is MemberInfo member ? member.Name : property.Name);
        }
    }
}
