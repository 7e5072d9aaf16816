namespace Connect.Api.Responses;

/// <summary>
/// Writes Connect's small JSON answers in one piece: serialized first, then sent with their Content-Length.
/// Left to the framework, an answer of unknown length goes out chunked, and its data and the closing chunk are
/// two sends to the socket and two reads for the client, for a body of twenty bytes. Unless the endpoint says
/// otherwise (<see cref="AnswerHeaders"/>, <see cref="EndpointContract.AnswerHeaders"/>), no answer may be kept by a cache: each tells one caller about one change.
/// </summary>
internal static class JsonAnswer
{
    public const string ContentType = "application/json; charset=utf-8";

    public static Task WriteAsync<T>(
        HttpResponse response, T value, JsonTypeInfo<T> type, CancellationToken cancellationToken, AnswerHeaders? headers = null)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(value, type);
        response.ContentType = ContentType;
        (headers ?? AnswerHeaders.Of(response.HttpContext)).ApplyTo(response.Headers);
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, cancellationToken).AsTask();
    }

    /// <summary>The same answer as an MVC result, for controllers; the status is the response's (200 unless set).</summary>
    public static IActionResult AsResult<T>(T value, JsonTypeInfo<T> type, AnswerHeaders? headers = null) => new Result<T>(value, type, headers);

    private sealed class Result<T>(T value, JsonTypeInfo<T> type, AnswerHeaders? headers) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) =>
            WriteAsync(context.HttpContext.Response, value, type, context.HttpContext.RequestAborted, headers);
    }
}

/// <summary>
/// The caching headers of one endpoint's answers: each endpoint names its own, in one place, either per answer
/// (<c>JsonAnswer.AsResult(..., headers)</c>) or for all its answers, errors included, in its contract
/// (<see cref="EndpointContract.AnswerHeaders"/>).
/// </summary>
/// <param name="PragmaNoCache">Also <c>Pragma: no-cache</c>, for HTTP/1.0 caches that do not read Cache-Control.</param>
/// <param name="Vary">The request headers the answer depends on (RFC 9110 §12.5.5), or none.</param>
internal sealed record AnswerHeaders(string CacheControl, bool PragmaNoCache = false, string? Vary = null)
{
    /// <summary>Every answer about one caller's sessions: never stored by any cache.</summary>
    public static AnswerHeaders NoStore { get; } = new("no-store");

    /// <summary>An answer that carries tokens (<c>/refresh</c>, docs/contract/sessions.md): no-store, and Pragma for old caches.</summary>
    public static AnswerHeaders NoStoreNoCache { get; } = NoStore with { PragmaNoCache = true };

    /// <summary>An answer about the holder of the <c>Authorization</c> header (<c>/userinfo</c>): it varies by it.</summary>
    public static AnswerHeaders NoStoreByAuthorization { get; } = NoStoreNoCache with { Vary = "Authorization" };

    /// <summary>A public document (the JWKS) any cache may keep for <paramref name="maxAgeSeconds"/>.</summary>
    public static AnswerHeaders Public(int maxAgeSeconds) =>
        new(string.Create(CultureInfo.InvariantCulture, $"public, max-age={maxAgeSeconds}"));

    public void ApplyTo(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        headers.CacheControl = CacheControl;
        if (PragmaNoCache)
        {
            headers.Pragma = "no-cache";
        }

        if (Vary is not null)
        {
            headers.Vary = Vary;
        }
    }

    /// <summary>What the endpoint's contract declares, else <see cref="NoStore"/>.</summary>
    public static AnswerHeaders Of(HttpContext context) =>
        context?.GetEndpoint()?.Metadata.GetMetadata<EndpointContract>()?.AnswerHeaders ?? NoStore;
}

/// <summary>
/// The answers every endpoint shares (the error bodies), serialized by generated code with the web defaults (camelCase).
/// Each endpoint's own answers have their own context, with the same options, beside its controller in
/// <c>Endpoints/&lt;Name&gt;/</c>: a new endpoint adds no line here.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Errors.ReasonResponse.ReasonBody))]
[JsonSerializable(typeof(Errors.ReasonResponse.BearerErrorBody))]
internal sealed partial class AnswerJson : JsonSerializerContext;
