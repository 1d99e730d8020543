using System.Text.Json;

namespace Micro;

/// <summary>
/// The error that travels between services, with go-micro's wire shape:
/// <c>{"id":"go.micro.srv.greeter","code":500,"detail":"...","status":"Internal Server Error"}</c>.
/// </summary>
public sealed class MicroException : Exception
{
    public MicroException(string id, int code, string detail, string? status = null, Exception? inner = null)
        : base(detail, inner)
    {
        Id = id;
        Code = code;
        Detail = detail;
        Status = status ?? StatusText(code);
    }

    /// <summary>Who raised the error: a service name, or <c>go.micro.client</c> for client-side failures.</summary>
    public string Id { get; }

    /// <summary>HTTP-like status code (400, 401, 403, 404, 405, 408, 409, 413, 500, 503).</summary>
    public int Code { get; }

    public string Detail { get; }

    public string Status { get; }

    /// <summary>True when the failure happened reaching the node (dial, connection lost), not in the service.</summary>
    public bool IsTransportError { get; init; }

    public override string Message => $"{{\"id\":{JsonSerializer.Serialize(Id, ErrorJsonContext.Default.String)},\"code\":{Code},\"detail\":{JsonSerializer.Serialize(Detail, ErrorJsonContext.Default.String)},\"status\":{JsonSerializer.Serialize(Status, ErrorJsonContext.Default.String)}}}";

    public string ToJson() => JsonSerializer.Serialize(new ErrorJson(Id, Code, Detail, Status), ErrorJsonContext.Default.ErrorJson);

    /// <summary>Parses the error JSON; text that is not error JSON becomes a 500 carrying that text.</summary>
    public static MicroException Parse(string text)
    {
        try
        {
            var e = JsonSerializer.Deserialize(text, ErrorJsonContext.Default.ErrorJson);
            if (e is not null && (e.Code != 0 || e.Detail is not null))
            {
                return new MicroException(e.Id ?? "", e.Code == 0 ? 500 : e.Code, e.Detail ?? "", e.Status);
            }
        }
        catch (JsonException)
        {
        }

        return new MicroException("", 500, text);
    }

    public static MicroException BadRequest(string id, string detail) => new(id, 400, detail);
    public static MicroException Unauthorized(string id, string detail) => new(id, 401, detail);
    public static MicroException Forbidden(string id, string detail) => new(id, 403, detail);
    public static MicroException NotFound(string id, string detail) => new(id, 404, detail);
    public static MicroException MethodNotAllowed(string id, string detail) => new(id, 405, detail);
    public static MicroException Timeout(string id, string detail) => new(id, 408, detail);
    public static MicroException Conflict(string id, string detail) => new(id, 409, detail);
    public static MicroException TooLarge(string id, string detail) => new(id, 413, detail);
    public static MicroException InternalServerError(string id, string detail) => new(id, 500, detail);
    public static MicroException Unavailable(string id, string detail) => new(id, 503, detail);

    public static string StatusText(int code) => code switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Request Entity Too Large",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
}
