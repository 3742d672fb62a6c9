using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace DataMeesh.DataProducts.Api;

/// <summary>
/// The text a write accepts, checked on every string of a write request before anything reaches the database (every
/// write of both APIs goes through <see cref="IdempotentWrites"/>, which calls this first). Refused, with the field:
/// <list type="bullet">
/// <item>control characters other than tab and line breaks, NUL above all: PostgreSQL cannot store NUL in text, and a
/// statement whose parameter it refuses at bind time leaves Npgsql's auto-prepared statement on that pooled connection
/// out of step, so the next request on it failed (issue 16, finding 1);</item>
/// <item>bidirectional embedding, override and isolate controls (U+202A-U+202E, U+2066-U+2069) anywhere: they make text
/// display differently from what it is (a name that reads backwards in a report);</item>
/// <item>text that starts or ends with an invisible format character (a byte-order mark, zero-width space or joiner,
/// left-to-right mark, soft hyphen): a name of only such characters passes a blank check, and one with them at an end looks
/// like another name. Inside text they stay allowed (emoji and some scripts join with U+200D).</item>
/// </list>
/// </summary>
public static class WriteText
{
    /// <summary>Throws a 400 problem naming every string field of <paramref name="request"/> (serialised as JSON) that is refused.</summary>
    public static void Validate(JsonElement request)
    {
        var errors = new Dictionary<string, string[]>();
        Walk(request, "", errors);
        if (errors.Count > 0)
        {
            throw new ProblemException(StatusCodes.Status400BadRequest, "The request is not valid.", "Some text is not accepted: see errors.", errors);
        }
    }

    /// <summary>Why <paramref name="text"/> is refused, or null when it is accepted.</summary>
    public static string? Refusal(string text)
    {
        foreach (var c in text)
        {
            if (char.IsControl(c) && c is not ('\t' or '\n' or '\r'))
            {
                return c == '\0' ? "must not contain a NUL character." : $"must not contain control character U+{(int)c:X4}.";
            }

            if (c is >= '\u202A' and <= '\u202E' or >= '\u2066' and <= '\u2069')
            {
                return $"must not contain bidirectional control U+{(int)c:X4}.";
            }
        }

        var trimmed = text.Trim();
        if (trimmed.Length > 0 && (IsInvisible(trimmed[0]) || IsInvisible(trimmed[^1])))
        {
            var c = IsInvisible(trimmed[0]) ? trimmed[0] : trimmed[^1];
            return $"must not start or end with an invisible character (U+{(int)c:X4}).";
        }

        return null;
    }

    private static bool IsInvisible(char c) => char.GetUnicodeCategory(c) == UnicodeCategory.Format;

    private static void Walk(JsonElement element, string path, Dictionary<string, string[]> errors)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String when Refusal(element.GetString()!) is { } refusal:
                var field = path.Length == 0 ? "body" : path;
                errors[field] = [$"{field} {refusal}"];
                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Walk(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", errors);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Walk(item, $"{path}[{index++}]", errors);
                }

                break;
        }
    }
}
