namespace DataMeesh.DataProducts.Api;

/// <summary>
/// A request the API refuses, with the field at fault. Thrown from request parsing deep inside the rows engine and turned
/// into an RFC 9457 problem response by <see cref="ProblemExceptionHandler"/>.
/// </summary>
public sealed class ProblemException(int status, string title, string detail, IDictionary<string, string[]>? errors = null) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;
    public IDictionary<string, string[]>? Errors { get; } = errors;

    public static ProblemException BadRequest(string field, string message) =>
        new(400, "The request is not valid.", message, new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemException NotFound(string detail) => new(404, "Not found.", detail);

    public static ProblemException Forbidden(string field, string message) =>
        new(403, "Not allowed for your role.", message, new Dictionary<string, string[]> { [field] = [message] });
}
